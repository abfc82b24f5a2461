package dev.fovea.cli;

import dev.fovea.io.ModelFile;
import dev.fovea.models.LeNet5;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Where {@code fovea serve} listens: 127.0.0.1 when not told otherwise (a real process, asked over a socket), and a
 * warning before it listens anywhere else.
 */
class ServeBindingTest {
    @TempDir
    Path dir;

    private Path model() throws Exception {
        Path file = dir.resolve("m.fovea");
        ModelFile.save(file, LeNet5.create(1, 10), Map.of("inputShape", List.of(1, 28, 28), "classes", List.of("a", "b")));
        return file;
    }

    @Test
    void listensOnLoopbackByDefault() throws Exception {
        Path file = model();
        String javaBin = ProcessHandle.current().info().command().orElse("java");
        Process p = new ProcessBuilder(javaBin, "--add-modules", "jdk.incubator.vector", "-cp", System.getProperty("java.class.path"),
                "dev.fovea.cli.Main", "serve", file.toString(), "--port", "0").directory(dir.toFile()).redirectErrorStream(true).start();
        try {
            BufferedReader in = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8));
            StringBuilder seen = new StringBuilder();
            URI uri = null;
            for (String line; uri == null && (line = in.readLine()) != null; ) {
                seen.append(line).append('\n');
                Matcher m = Pattern.compile("^Serving .* at (http://\\S+)").matcher(line);
                if (m.find()) uri = URI.create(m.group(1));
            }
            assertNotNull(uri, "no 'Serving ... at' line:\n" + seen);
            assertEquals("127.0.0.1", uri.getHost(), seen.toString());
            assertTrue(!seen.toString().contains("warning"), "no warning for the default:\n" + seen);
            assertTrue(get(uri.getPort(), "127.0.0.1").startsWith("HTTP/1.1 200"), "it answers on 127.0.0.1");
            assertTrue(get(uri.getPort(), "evil.example").startsWith("HTTP/1.1 403"), "and refuses other host names");
        } finally {
            p.destroy();
            if (!p.waitFor(30, TimeUnit.SECONDS)) p.destroyForcibly();
        }
    }

    /** The warning comes before the server listens: an address this machine does not have shows it without opening a port. */
    @Test
    void warnsBeforeListeningElsewhere() throws Exception {
        Cli r = Cli.run("serve", model().toString(), "--host", "192.0.2.1", "--port", "0");
        assertTrue(r.out().contains("warning: serving on 192.0.2.1") && r.out().contains("127.0.0.1"), r.out());
        assertEquals(2, r.code(), r.err());
        assertTrue(r.err().contains("cannot listen on 192.0.2.1"), r.err());
    }

    /** The status line of GET /api/model with the given Host header. */
    private static String get(int port, String host) throws Exception {
        try (Socket s = new Socket("127.0.0.1", port)) {
            s.setSoTimeout(30_000);
            OutputStream out = s.getOutputStream();
            out.write(("GET /api/model HTTP/1.1\r\nHost: " + host + "\r\nConnection: close\r\n\r\n").getBytes(StandardCharsets.ISO_8859_1));
            out.flush();
            return new BufferedReader(new InputStreamReader(s.getInputStream(), StandardCharsets.ISO_8859_1)).readLine();
        }
    }
}
