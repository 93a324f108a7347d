"""One module per sub-command of the ``zhconvert`` CLI (see ``zhconvert._cli``)."""
