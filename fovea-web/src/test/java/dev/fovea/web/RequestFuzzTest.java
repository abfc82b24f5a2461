package dev.fovea.web;

import com.code_intelligence.jazzer.junit.DictionaryEntries;
import com.code_intelligence.jazzer.junit.FuzzTest;
import dev.fovea.io.Json;
import dev.fovea.models.LeNet5;
import dev.fovea.nn.Module;
import dev.fovea.tensor.Rng;
import dev.fovea.train.TrainingControl;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.lang.management.ManagementFactory;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Fuzz target for the web server's request handling: the input is the raw bytes of one HTTP request (request line,
 * headers, body), which {@link LocalExchange} turns into the exchange the JDK's server would hand to
 * {@link WebServer#handle}, in process. The server serves a LeNet-5 with a small test set and a training feed (no
 * trainer runs, so answers depend on the request alone), so every endpoint is live: the page's files, the JSON
 * endpoints with query parameters and JSON bodies, image uploads, the event stream and training control.
 *
 * <p>The property: every request the JDK's server passes on gets exactly one well-formed answer with a documented
 * status (200, 400, 403, 404, 405, 409, 413, 415), never 500 from an unexpected exception; a JSON answer parses, and an
 * error carries {@code {"error": message}}; only a loopback Host header gets anything but 403 (DNS rebinding); a body declared above the limit is refused without reading any of it;
 * 200 for a file only for the page's own files; no request allocates more than {@link #MAX_ALLOCATION} bytes on
 * its thread or runs longer than the timeout. The only request left without an answer is one whose body ended
 * before its declared length (the client went away). Seeds: {@code RequestFuzzTestInputs/request/} (written by
 * {@link RequestSeeds}); campaign: SECURITY.md, "The web server".
 */
class RequestFuzzTest {
    /** How long the target fuzzes with JAZZER_FUZZ=1 (regression runs ignore it). */
    static final String FUZZ_TIME = "10m";
    /**
     * Per request, on its thread. Generous because the kernels' vectors are objects until the JIT has compiled them: a
     * cold {@code /api/confusion} over the 40 test samples allocates about 90 MB, a warm one 1 MB.
     */
    static final long MAX_ALLOCATION = 256L << 20;
    private static final Set<Integer> DOCUMENTED = Set.of(200, 400, 403, 404, 405, 409, 413, 415);
    private static final WebServer SERVER = start();

    private static WebServer start() {
        Rng.manualSeed(3);
        Module model = LeNet5.create(1, 4);
        TinyData test = new TinyData(40, 2);
        ServedModel served = new ServedModel("fuzz", model, test.classNames(), new int[] {1, 28, 28}, new double[] {0.5}, new double[] {0.25}, test);
        try {
            return WebServer.start(served, new TrainingFeed(new TrainingControl()), "127.0.0.1", 0, null);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @FuzzTest(maxDuration = FUZZ_TIME)
    @Timeout(20)
    // libFuzzer's dictionary syntax: \" for a quote, \xNN for other bytes.
    @DictionaryEntries({"GET ", "POST ", "HEAD ", "PUT ", " HTTP/1.1\\x0d\\x0a", "\\x0d\\x0a\\x0d\\x0a", "Host: 127.0.0.1\\x0d\\x0a",
            "Host: localhost:8080\\x0d\\x0a", "Host: [::1]\\x0d\\x0a", "Content-Type: application/json\\x0d\\x0a",
            "Content-Type: image/png\\x0d\\x0a", "Content-Type: image/jpeg\\x0d\\x0a", "Content-Length: ", "Transfer-Encoding: chunked\\x0d\\x0a",
            "/api/", "/api/predict", "/api/inspect", "/api/layer", "/api/explain", "/api/filter", "/api/conv1d", "/api/upload",
            "/api/samples?count=", "&offset=", "/api/confusion?limit=", "/api/outsize?input=", "&kernel=", "&padding=", "&stride=", "&dilation=",
            "/api/training?fromStep=", "&fromEpoch=", "&resets=", "/api/control", "/api/events", "/api/model", "/index.html", "/app.js",
            "/style.css", "%2e%2e%2f", "..", "\\\"sample\\\":", "\\\"pixels\\\":[", "\\\"path\\\":\\\"", "\\\"channel\\\":", "\\\"target\\\":",
            "\\\"kernel\\\":\\\"", "\\\"weights\\\":[[", "\\\"sigma\\\":", "\\\"signal\\\":[", "\\\"flip\\\":true", "\\\"action\\\":\\\"pause\\\"",
            "\\\"learningRate\\\":", "\\\"batchSize\\\":", "\\\"softmax\\\"", "sobel-x", "gaussian", "custom", "1e308", "-0", "2147483648",
            "\\x89PNG\\x0d\\x0a\\x1a\\x0a", "\\xff\\xd8\\xff\\xe0"})
    void request(byte[] raw) throws IOException {
        LocalExchange ex = LocalExchange.parse(raw);
        if (ex == null) return; // the JDK's server answers these itself
        long allocated = handle(ex);
        check(ex);
        if (allocated > MAX_ALLOCATION) {
            // A code path's first run also allocates for loading its classes (and, while fuzzing, instrumenting
            // them), which is not the request's doing: measure the same request again.
            allocated = handle(LocalExchange.parse(raw));
        }
        assertTrue(allocated <= MAX_ALLOCATION, "allocated " + allocated + " bytes for one request");
    }

    /** Handles {@code ex} in process; returns the bytes allocated on this thread meanwhile. */
    private static long handle(LocalExchange ex) throws IOException {
        var threads = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
        long before = threads.getCurrentThreadAllocatedBytes();
        try {
            SERVER.handle(ex);
        } finally {
            Thread.interrupted(); // set by the end of an event stream
        }
        return threads.getCurrentThreadAllocatedBytes() - before;
    }

    /** The property, for one handled exchange. */
    static void check(LocalExchange ex) {
        assertTrue(ex.responseClosed(), "the exchange is closed");
        if (!ex.answered()) {
            assertTrue(ex.bodyFailed(), "a whole request got no answer");
            return;
        }
        assertEquals(1, ex.headersSent(), "one status line");
        int status = ex.getResponseCode();
        String path = ex.getRequestURI().getRawPath();
        assertTrue(DOCUMENTED.contains(status), "status " + status + " for " + ex.getRequestMethod() + " " + ex.getRequestURI() + ": " + ex.responseText());
        String type = ex.getResponseHeaders().getFirst("Content-Type");
        assertNotNull(type, "every answer names its content type");
        assertEquals("nosniff", ex.getResponseHeaders().getFirst("X-Content-Type-Options"));
        if (ex.declaredLength() == 0) {
            // Only the event stream is sent without a length; its first event is the training state as JSON.
            assertEquals(200, status);
            assertEquals("/api/events", path);
            assertTrue(type.startsWith("text/event-stream"), type);
            String text = ex.responseText();
            assertTrue(text.startsWith("event: training\ndata: "), text);
            assertTrue(Json.parse(text.substring(text.indexOf("data: ") + 6, text.indexOf("\n\n"))) instanceof Map<?, ?>);
            return;
        }
        byte[] body = ex.responseBytes();
        assertEquals(ex.declaredLength() < 0 ? 0 : ex.declaredLength(), body.length, "the body has its declared length");
        if (ex.declaredLength() < 0) {
            assertEquals("HEAD", ex.getRequestMethod(), "only HEAD answers have no body");
            return;
        }
        if (type.startsWith("application/json")) {
            Object v = Json.parse(new String(body, StandardCharsets.UTF_8));
            if (status != 200) {
                assertTrue(v instanceof Map<?, ?> m && m.get("error") instanceof String s && !s.isBlank(), "an error carries a message: " + v);
            }
        } else {
            assertEquals(200, status, "errors are JSON");
            assertTrue(PAGE_FILES.contains(path.equals("/") ? "index.html" : path.substring(1)), "served a file that is not the page's: " + path);
        }
        if (status == 413 && ex.getRequestHeaders().getFirst("Content-Length") != null) {
            assertEquals(0, ex.bodyBytesRead(), "a body declared too large is refused unread");
        }
        // DNS rebinding: only a loopback Host (RFC 3986: a port, possibly empty, may follow) is answered.
        String host = ex.getRequestHeaders().getFirst("Host");
        boolean own = host != null && OWN_HOST.matcher(host).matches();
        if (status == 403) assertFalse(own, "refused its own host: " + host);
        else assertTrue(own || host == null && status == 400, "answered " + status + " for host " + host);
    }

    private static final Pattern OWN_HOST = Pattern.compile("(?i)(localhost|127\\.[0-9]{1,3}\\.[0-9]{1,3}\\.[0-9]{1,3}|\\[::1])(:[0-9]*)?");

    /** The files in the page's resource folder, the only ones a URL may reach. */
    private static final Set<String> PAGE_FILES = pageFiles();

    private static Set<String> pageFiles() {
        try (Stream<Path> files = Files.list(Path.of(WebServer.class.getResource("static/index.html").toURI()).getParent())) {
            return Set.copyOf(files.map(p -> p.getFileName().toString()).toList());
        } catch (Exception e) {
            throw new IllegalStateException("cannot list the page's files", e);
        }
    }

    /** The fuzzer's first finding: momentum sent before the run has its optimizer was a 500 (IllegalStateException). */
    @Test
    void momentumBeforeTheRunStartsIsAConflictNotACrash() throws IOException {
        byte[] body = "{\"learningRate\":0.05,\"momentum\":0.5}".getBytes(StandardCharsets.UTF_8);
        LocalExchange ex = LocalExchange.parse(("POST /api/control HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\nContent-Length: "
                + body.length + "\r\n\r\n" + new String(body, StandardCharsets.UTF_8)).getBytes(StandardCharsets.UTF_8));
        SERVER.handle(ex);
        check(ex);
        assertEquals(409, ex.getResponseCode());
        assertTrue(ex.responseText().contains("not started"), ex.responseText());
    }

    /**
     * The campaign's finding: a 699-byte JPEG whose header claims 3084 x 4096 pixels decoded into 430 MB. It is now
     * refused from its header: an upload may claim at most {@link Api#PIXELS_PER_BYTE} pixels per byte (and any image
     * file read by {@code ImageFile} at most its own, looser, bound).
     */
    @Test
    void aSmallJpegClaimingMillionsOfPixelsIsRefusedUndecoded() throws Exception {
        byte[] raw = Files.readAllBytes(Path.of(RequestFuzzTest.class.getResource("RequestFuzzTestInputs/request/jpeg-claiming-12-megapixels").toURI()));
        LocalExchange ex = LocalExchange.parse(raw);
        long allocated = handle(ex);
        check(ex);
        assertEquals(400, ex.getResponseCode(), ex.responseText());
        // Refused by the upload limit or, first, by ImageFile's own check of pixels against bytes: either names the size.
        assertTrue(ex.responseText().contains("3084x4096"), ex.responseText());
        assertTrue(allocated < 16L << 20, "allocated " + allocated);
    }

    // ---------------------------------------------------------------- the harness against the real thing

    /**
     * Every seed sent over a socket to the same server gets the status the in-process harness gave it (or, where the
     * harness says the JDK refuses the request itself, a 4xx/5xx from the JDK): the harness models the real server.
     */
    @Test
    void seedsGetTheSameStatusOverTheWire() throws Exception {
        Path dir = Path.of(RequestFuzzTest.class.getResource("RequestFuzzTestInputs/request").toURI());
        List<Path> seeds;
        try (Stream<Path> s = Files.list(dir)) {
            seeds = s.sorted().toList();
        }
        assertTrue(seeds.size() >= 20, "the seed corpus is there: " + seeds.size());
        int answered = 0;
        for (Path seed : seeds) {
            byte[] raw = Files.readAllBytes(seed);
            LocalExchange ex = LocalExchange.parse(raw);
            if (ex != null) {
                handle(ex);
                check(ex);
            }
            if (ex != null && (!ex.answered() || ex.declaredLength() == 0)) continue; // dropped bodies and streams
            String line = statusLine(raw);
            if (ex == null) {
                assertTrue(line.isEmpty() || line.matches("HTTP/1\\.1 [45]\\d\\d .*"), seed.getFileName() + ": " + line);
            } else {
                assertTrue(line.startsWith("HTTP/1.1 " + ex.getResponseCode() + " "), seed.getFileName() + ": harness " + ex.getResponseCode() + ", wire " + line);
                answered++;
            }
        }
        assertTrue(answered >= 15, "most seeds reach the handler: " + answered);
    }

    /** Sends {@code raw} to the server and returns the first line of its answer ("" when it closes without one). */
    private static String statusLine(byte[] raw) throws IOException {
        try (Socket s = new Socket("127.0.0.1", SERVER.uri().getPort())) {
            s.setSoTimeout(20_000);
            OutputStream out = s.getOutputStream();
            out.write(raw);
            out.flush();
            s.shutdownOutput();
            InputStream in = s.getInputStream();
            ByteArrayOutputStream line = new ByteArrayOutputStream();
            for (int b; (b = in.read()) >= 0 && b != '\n'; ) line.write(b);
            return line.toString(StandardCharsets.ISO_8859_1).strip();
        } catch (java.net.SocketException e) {
            return ""; // reset by the server after refusing
        }
    }
}
