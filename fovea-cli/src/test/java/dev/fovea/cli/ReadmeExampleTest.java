package dev.fovea.cli;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import javax.tools.ToolProvider;
import java.io.ByteArrayOutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Compiles and runs the Java example in README.md exactly as written, so the README stays true. */
class ReadmeExampleTest {

    static String example() throws Exception {
        Path readme = Path.of("..", "README.md");
        String text = Files.readString(readme);
        Matcher m = Pattern.compile("```java\\n(.*?)```", Pattern.DOTALL).matcher(text);
        assertTrue(m.find(), "README.md has no ```java block");
        return m.group(1);
    }

    @Test
    void readmeExampleCompilesAndRuns(@TempDir Path dir) throws Exception {
        String source = example();
        Matcher cls = Pattern.compile("public class (\\w+)").matcher(source);
        assertTrue(cls.find(), "the README example must declare a public class");
        Path file = dir.resolve(cls.group(1) + ".java");
        Files.writeString(file, source);
        String cp = System.getProperty("java.class.path");
        ByteArrayOutputStream diag = new ByteArrayOutputStream();
        int rc = ToolProvider.getSystemJavaCompiler().run(null, diag, diag,
                "--add-modules", "jdk.incubator.vector", "-cp", cp, "-d", dir.toString(), file.toString());
        assertEquals(0, rc, "README example does not compile:\n" + diag);

        String javaBin = ProcessHandle.current().info().command().orElse("java");
        Process p = new ProcessBuilder(javaBin, "--add-modules", "jdk.incubator.vector", "-cp", dir + java.io.File.pathSeparator + cp, cls.group(1))
                .directory(dir.toFile()).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes());
        assertTrue(p.waitFor(10, TimeUnit.MINUTES), "README example did not finish");
        assertEquals(0, p.exitValue(), "README example failed:\n" + out);
        List<String> lines = out.lines().toList();
        assertTrue(lines.stream().anyMatch(l -> l.startsWith("epoch 1/1")), out);
        assertTrue(lines.stream().anyMatch(l -> l.startsWith("predicted")), out);
        assertTrue(lines.stream().anyMatch(l -> l.contains("same outputs after loading: true")), out);
    }
}
