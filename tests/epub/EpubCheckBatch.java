// Runs EPUBCheck on many files in one JVM: starting the JVM and loading EPUBCheck's schemas is
// most of the cost of a check, so the tests keep one of these running for the whole session.
// Reads lines "<epub path>\t<json report path>" on stdin; after each check prints a line
// "@@done <exit code>" on stdout.
import com.adobe.epubcheck.tool.EpubChecker;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;

public class EpubCheckBatch {
    public static void main(String[] args) throws Exception {
        BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
        String line;
        while ((line = in.readLine()) != null) {
            String[] parts = line.split("\t", 2);
            int code;
            try {
                code = new EpubChecker().run(new String[] {parts[0], "-q", "--json", parts[1]});
            } catch (Throwable error) {
                error.printStackTrace();
                code = 99;
            }
            System.out.println("@@done " + code);
            System.out.flush();
        }
    }
}
