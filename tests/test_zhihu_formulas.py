"""Zhihu formulas: TeX from an ``equation?tex=`` address decoded once; 知乎日报's formulas split
into paragraphs of their own rejoined into their sentence, in every writer."""

from __future__ import annotations

import io
import zipfile

import zhconvert
from zhconvert import model as m


def zhihu(body: str, site: str = "知乎日报") -> m.Document:
    return zhconvert.loads(f"---\ntitle: 概率\ncategories:\n - {site}\n---\n{body}")


def formula(tex_query: str, alt: str = "[公式]") -> str:
    return f'<img src="https://www.zhihu.com/equation?tex={tex_query}" alt="{alt}" eeimg="1">'


def test_tex_from_the_address_is_decoded_once() -> None:
    # form-encoded: "+" is a space, "%2B" a plus sign, "%25" a percent sign
    doc = zhihu(
        f"<p>期望 {formula('1%5Ccdot+q+%2B+2%5Ccdot+pq')} 与 {formula('50%25')}</p>", "知乎"
    )
    [paragraph] = doc.blocks
    assert isinstance(paragraph, m.Paragraph)
    maths = [c.tex for c in paragraph.children if isinstance(c, m.InlineMath)]
    assert maths == ["1\\cdot q + 2\\cdot pq", "50%"]
    assert "$1\\cdot q + 2\\cdot pq$" in str(zhconvert.dumps(doc, "markdown"))


DAILY = (
    '<div class="content"><p>获胜概率是</p><p>' + formula("p", "p") + "</p><p>，输的概率是</p>"
    "<p>" + formula("q%3D1-p", "q=1-p") + "</p><p>，各局之间独立。</p>"
    "<p>总的概率为：</p><p>" + formula("%5Csum_%7Bk%3D0%7D%5En+p%5Ek+q%5E%7Bn-k%7D") + "</p>"
    "<p>由此可知结果。</p></div>"
)


def test_daily_formulas_inside_a_sentence_are_rejoined() -> None:
    doc = zhihu(DAILY)
    assert doc.blocks[0] == m.Paragraph(
        (
            m.Text("获胜概率是"),
            m.InlineMath("p"),
            m.Text("，输的概率是"),
            m.InlineMath("q=1-p"),
            m.Text("，各局之间独立。"),
        )
    )
    # a formula after a colon, before a new sentence, stays a display formula
    assert doc.blocks[1:] == (
        m.Paragraph((m.Text("总的概率为："),)),
        m.MathBlock("\\sum_{k=0}^n p^k q^{n-k}"),
        m.Paragraph((m.Text("由此可知结果。"),)),
    )
    markdown = str(zhconvert.dumps(doc, "markdown"))
    assert "获胜概率是$p$，输的概率是$q=1-p$，各局之间独立。" in markdown
    text = str(zhconvert.dumps(doc, "text"))
    assert "获胜概率是p，输的概率是q=1-p，各局之间独立。" in text
    data = zhconvert.dumps(doc, "epub", images="omit")
    assert isinstance(data, bytes)
    chapter = zipfile.ZipFile(io.BytesIO(data)).read("EPUB/text/post-0001.xhtml").decode()
    first = chapter.split("获胜概率是", 1)[1].split("</p>", 1)[0]
    assert "各局之间独立" in first and first.count("<math") == 2
    assert 'display="block"' not in first


def test_one_symbol_between_two_pieces_of_a_clause_is_inline() -> None:
    body = (
        "<p>设</p><p>" + formula("x", "x") + "</p><p>为正数</p>"
        "<p>下面是推导过程</p><p>" + formula("E%3Dmc%5E2") + "</p><p>由此可知结果。</p>"
    )
    doc = zhihu(body)
    assert doc.blocks == (
        m.Paragraph((m.Text("设"), m.InlineMath("x"), m.Text("为正数"))),
        m.Paragraph((m.Text("下面是推导过程"),)),
        m.MathBlock("E=mc^2"),
        m.Paragraph((m.Text("由此可知结果。"),)),
    )
