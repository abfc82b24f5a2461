package dev.fovea.web;

import dev.fovea.io.Json;
import dev.fovea.models.LeNet5;
import dev.fovea.nn.CrossEntropyLoss;
import dev.fovea.nn.Module;
import dev.fovea.optim.SGD;
import dev.fovea.tensor.Rng;
import dev.fovea.train.Trainer;
import dev.fovea.train.TrainingControl;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import javax.imageio.ImageIO;
import java.awt.image.BufferedImage;
import java.io.BufferedReader;
import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The HTTP API through the JDK's HttpClient (raw sockets where a client would tidy the request): the JSON endpoints,
 * the event stream of a run training live, the refusals (413, 400, 415, 403, path traversal), and many concurrent
 * requests while the model trains.
 */
class WebServerTest {
    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();
    private static WebServer server;
    private static TrainingFeed feed;
    private static CompletableFuture<Trainer.Outcome> training;
    private static URI base;

    @BeforeAll
    static void start() throws Exception {
        Rng.manualSeed(1);
        Module model = LeNet5.create(1, 4);
        TinyData train = new TinyData(400, 1), test = new TinyData(100, 2);
        ServedModel served = new ServedModel("tiny", model, train.classNames(), new int[] {1, 28, 28}, new double[] {0}, new double[] {1}, test);
        feed = new TrainingFeed(new TrainingControl());
        server = WebServer.start(served, feed, "127.0.0.1", 0, null);
        base = server.uri();
        Trainer trainer = new Trainer(model, new SGD(model.parameters(), 0.02, 0.9, 0, false), new CrossEntropyLoss()).output(null);
        feed.attach(trainer, 1000);
        training = CompletableFuture.supplyAsync(() -> {
            try {
                return trainer.run(train, test, 1000, 32, 5);
            } finally {
                feed.finished(null);
            }
        });
    }

    @AfterAll
    static void stop() throws Exception {
        feed.control().stop();
        training.get(120, TimeUnit.SECONDS);
        server.close();
    }

    private static HttpResponse<String> get(String path) throws Exception {
        return HTTP.send(HttpRequest.newBuilder(base.resolve(path)).GET().build(), HttpResponse.BodyHandlers.ofString());
    }

    private static HttpResponse<String> post(String path, String type, byte[] body) throws Exception {
        return HTTP.send(HttpRequest.newBuilder(base.resolve(path)).header("Content-Type", type)
                .POST(HttpRequest.BodyPublishers.ofByteArray(body)).build(), HttpResponse.BodyHandlers.ofString());
    }

    private static HttpResponse<String> postJson(String path, Object body) throws Exception {
        return post(path, "application/json", Json.write(body).getBytes(StandardCharsets.UTF_8));
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> json(HttpResponse<String> r) {
        assertTrue(r.headers().firstValue("Content-Type").orElse("").startsWith("application/json"), "JSON answer");
        return (Map<String, Object>) Json.parse(r.body());
    }

    private static Map<String, Object> ok(HttpResponse<String> r) {
        assertEquals(200, r.statusCode(), r.body());
        return json(r);
    }

    private static String error(HttpResponse<String> r, int status) {
        assertEquals(status, r.statusCode(), r.body());
        return (String) json(r).get("error");
    }

    /**
     * Sends bytes as they are and returns the answer: status line, headers and the body its Content-Length
     * announces (read no further, so the connection's fate does not matter).
     */
    private static String raw(String request, byte[] body) throws Exception {
        try (Socket s = new Socket("127.0.0.1", base.getPort())) {
            s.setSoTimeout(20_000);
            OutputStream out = s.getOutputStream();
            out.write(request.getBytes(StandardCharsets.ISO_8859_1));
            if (body != null) out.write(body);
            out.flush();
            InputStream in = s.getInputStream();
            ByteArrayOutputStream head = new ByteArrayOutputStream();
            while (!head.toString(StandardCharsets.ISO_8859_1).endsWith("\r\n\r\n")) {
                int b = in.read();
                if (b < 0) break;
                head.write(b);
            }
            String headers = head.toString(StandardCharsets.ISO_8859_1);
            java.util.regex.Matcher m = java.util.regex.Pattern.compile("(?i)content-length: *(\\d+)").matcher(headers);
            byte[] rest = m.find() ? in.readNBytes(Integer.parseInt(m.group(1))) : new byte[0];
            return headers + new String(rest, StandardCharsets.UTF_8);
        }
    }

    private static List<Object> pixels(double value) {
        return new ArrayList<>(Collections.nCopies(784, value));
    }

    // ---------------------------------------------------------------- the page and the model

    @Test
    void servesThePageWithItsSecurityHeaders() throws Exception {
        HttpResponse<String> page = get("/");
        assertEquals(200, page.statusCode());
        assertTrue(page.body().contains("<script src=\"app.js\">"));
        assertTrue(page.headers().firstValue("Content-Security-Policy").orElse("").contains("default-src 'self'"));
        assertEquals("nosniff", page.headers().firstValue("X-Content-Type-Options").orElse(""));
        HttpResponse<String> js = get("/app.js");
        assertEquals(200, js.statusCode());
        assertTrue(js.headers().firstValue("Content-Type").orElse("").startsWith("text/javascript"));
        assertEquals(404, get("/missing.js").statusCode());
    }

    @Test
    @SuppressWarnings("unchecked")
    void describesTheModelLayerByLayer() throws Exception {
        Map<String, Object> m = ok(get("/api/model"));
        assertEquals(List.of("top", "upper", "lower", "bottom"), m.get("classes"));
        List<Map<String, Object>> layers = (List<Map<String, Object>>) m.get("layers");
        assertEquals(12, layers.size());
        assertEquals("Conv2d", layers.get(0).get("type"));
        assertEquals(List.of(5L, 5L), layers.get(0).get("kernel"));
        assertEquals(List.of(1L, 6L, 28L, 28L), layers.get(0).get("outputShape"));
        assertEquals(156L, layers.get(0).get("params"));
        Map<String, Object> g = (Map<String, Object>) m.get("graph");
        // A chain: input, 12 layers, output; 13 edges between consecutive nodes.
        assertEquals(14, ((List<?>) g.get("nodes")).size());
        assertEquals(13, ((List<?>) g.get("edges")).size());
        for (Object e : (List<?>) g.get("edges")) {
            List<Long> pair = (List<Long>) e;
            assertEquals(pair.get(0) + 1, pair.get(1));
        }
    }

    // ---------------------------------------------------------------- live training

    @Test
    void streamsTrainingAsServerSentEvents() throws Exception {
        HttpResponse<InputStream> r = HTTP.send(HttpRequest.newBuilder(base.resolve("/api/events")).GET().build(), HttpResponse.BodyHandlers.ofInputStream());
        assertEquals(200, r.statusCode());
        assertTrue(r.headers().firstValue("Content-Type").orElse("").startsWith("text/event-stream"));
        try (BufferedReader in = new BufferedReader(new InputStreamReader(r.body(), StandardCharsets.UTF_8))) {
            int events = 0;
            long lastStepCount = -1;
            for (String line; events < 2 && (line = in.readLine()) != null; ) {
                if (!line.startsWith("data: ")) continue;
                Map<?, ?> m = (Map<?, ?>) Json.parse(line.substring(6));
                long steps = ((Number) m.get("stepCount")).longValue();
                assertTrue(steps > lastStepCount, "every event is newer");
                if (events == 0) assertFalse(((List<?>) m.get("steps")).isEmpty(), "the first event brings the history so far");
                lastStepCount = steps;
                events++;
            }
            assertEquals(2, events);
        }
    }

    @Test
    void pausesResumesAndTakesNewHyperparameters() throws Exception {
        Map<String, Object> s = ok(postJson("/api/control", Map.of("action", "pause")));
        assertEquals("paused", s.get("state"));
        ok(postJson("/api/control", Map.of("learningRate", 0.01, "momentum", 0.5, "weightDecay", 0.001, "batchSize", 16)));
        Map<?, ?> h = (Map<?, ?>) ok(get("/api/training")).get("hyper");
        assertEquals(0.01, h.get("learningRate"));
        assertEquals(0.5, h.get("momentum"));
        assertEquals(0.001, h.get("weightDecay"));
        assertEquals(16L, h.get("batchSize"));
        assertTrue(error(postJson("/api/control", Map.of("learningRate", -1)), 400).contains("learningRate"));
        assertTrue(error(postJson("/api/control", Map.of("momentum", "fast")), 400).contains("momentum"));
        assertTrue(error(postJson("/api/control", Map.of("action", "explode")), 400).contains("unknown action"));
        assertEquals(0.01, ((Map<?, ?>) ok(get("/api/training")).get("hyper")).get("learningRate"), "a refused change changes nothing");
        ok(postJson("/api/control", Map.of("learningRate", 0.02, "momentum", 0.9, "batchSize", 32)));
        assertEquals("running", ok(postJson("/api/control", Map.of("action", "resume"))).get("state"));
    }

    // ---------------------------------------------------------------- predictions and explanations

    @Test
    @SuppressWarnings("unchecked")
    void predictsInspectsAndExplainsOneInput() throws Exception {
        List<Object> px = pixels(0);
        for (int y = 4; y < 8; y++) for (int x = 4; x < 24; x++) px.set(y * 28 + x, 1.0);
        List<Map<String, Object>> top = (List<Map<String, Object>>) ok(postJson("/api/predict", Map.of("pixels", px))).get("top");
        assertEquals(3, top.size());
        double p0 = ((Number) top.get(0).get("p")).doubleValue(), p1 = ((Number) top.get(1).get("p")).doubleValue();
        assertTrue(p0 >= p1 && p0 <= 1);

        Map<String, Object> ins = ok(postJson("/api/inspect", Map.of("sample", 3)));
        Map<String, Object> saliency = (Map<String, Object>) ins.get("saliency");
        assertEquals(28L, saliency.get("h"));
        assertEquals(784, ((List<?>) saliency.get("data")).size());
        List<Map<String, Object>> layers = (List<Map<String, Object>>) ins.get("layers");
        assertEquals(6, ((List<?>) layers.get(0).get("maps")).size());
        for (Map<String, Object> l : layers) {
            assertNotNull(l.get("gradMin"), "every layer's output has a gradient: " + l.get("path"));
            assertTrue(((Number) l.get("min")).doubleValue() <= ((Number) l.get("max")).doubleValue());
        }
        assertTrue(((Number) ins.get("label")).intValue() >= 0);

        // The explanation's sum over input channels plus bias is the layer's own output.
        Map<String, Object> ex = ok(postJson("/api/explain", Map.of("sample", 3, "path", "3", "channel", 5)));
        assertEquals("convolution", ex.get("kind"));
        assertEquals(6L, ex.get("inputChannels"));
        List<?> sum = (List<?>) ((Map<?, ?>) ex.get("sum")).get("data"), out = (List<?>) ((Map<?, ?>) ex.get("output")).get("data");
        assertEquals(100, out.size());
        for (int i = 0; i < out.size(); i++) {
            double a = ((Number) sum.get(i)).doubleValue(), b = ((Number) out.get(i)).doubleValue();
            assertEquals(b, a, 2e-3 * Math.max(1, Math.abs(b)), "position " + i);
        }
        assertEquals("pool", ok(postJson("/api/explain", Map.of("sample", 3, "path", "2", "channel", 0))).get("kind"));
        Map<String, Object> sm = ok(postJson("/api/explain", Map.of("sample", 3, "path", "softmax")));
        double total = 0;
        for (Object p : (List<?>) sm.get("probabilities")) total += ((Number) p).doubleValue();
        assertEquals(1, total, 1e-3);
        assertTrue(error(postJson("/api/explain", Map.of("sample", 3, "path", "7", "channel", 0)), 400).contains("4-D feature maps"));
        assertTrue(error(postJson("/api/explain", Map.of("sample", 3, "path", "nope")), 400).contains("no layer 'nope'"));

        Map<String, Object> layer = ok(postJson("/api/layer", Map.of("sample", 3, "path", "0")));
        Map<String, Object> filters = (Map<String, Object>) layer.get("filters");
        assertEquals(List.of(6L, 1L, 5L, 5L), filters.get("shape"));
        assertNotNull(filters.get("grads"));
        assertEquals(2, ((List<?>) layer.get("parameters")).size());
    }

    @Test
    @SuppressWarnings("unchecked")
    void testStripConfusionAndPlayground() throws Exception {
        Map<String, Object> s = ok(get("/api/samples?count=8&offset=1"));
        List<Map<String, Object>> items = (List<Map<String, Object>>) s.get("samples");
        assertEquals(8, items.size());
        for (Map<String, Object> it : items) assertEquals(3, ((List<?>) it.get("top")).size());
        Map<String, Object> c = ok(get("/api/confusion?limit=50"));
        assertEquals(50L, c.get("count"));
        assertEquals(4, ((List<?>) c.get("matrix")).size());

        Map<String, Object> f = ok(postJson("/api/filter", Map.of("sample", 0, "kernel", "sobel-x")));
        assertEquals(3, ((List<?>) f.get("kernel")).size());
        Map<String, Object> custom = ok(postJson("/api/filter", Map.of("sample", 0, "kernel", "custom", "weights", List.of(List.of(0, 0, 0), List.of(0, 1, 0), List.of(0, 0, 0)))));
        assertEquals(((Map<?, ?>) custom.get("input")).get("data"), ((Map<?, ?>) custom.get("output")).get("data"), "the identity kernel gives the image back");
        assertTrue(error(postJson("/api/filter", Map.of("sample", 0, "kernel", "custom", "weights", List.of(List.of(1, 2), List.of(3)))), 400).contains("row 1"));

        Map<String, Object> conv = ok(postJson("/api/conv1d", Map.of("signal", List.of(1, 2, 3, 4), "kernel", List.of(1, 0, -1), "flip", false)));
        assertEquals(List.of(-2.0, -2.0), conv.get("output"));
        Map<String, Object> flipped = ok(postJson("/api/conv1d", Map.of("signal", List.of(1, 2, 3, 4), "kernel", List.of(1, 0, -1), "flip", true)));
        assertEquals(List.of(2.0, 2.0), flipped.get("output"));
        for (Object step : (List<?>) flipped.get("steps")) assertEquals(2.0, ((Map<?, ?>) step).get("sum"));

        Map<String, Object> size = ok(get("/api/outsize?input=28&kernel=5&padding=2&stride=2&dilation=1"));
        assertEquals(14L, size.get("output"));
        Map<String, Object> impossible = ok(get("/api/outsize?input=4&kernel=7&padding=0&stride=1&dilation=1"));
        assertEquals(false, impossible.get("valid"));
        assertTrue(((List<?>) impossible.get("problems")).get(0).toString().contains("no output"));
        assertEquals(false, ok(get("/api/outsize?input=4&kernel=3&stride=0")).get("valid"));
    }

    // ---------------------------------------------------------------- uploads and refusals

    @Test
    void uploadsAreDecodedAndBadOnesRefused() throws Exception {
        BufferedImage img = new BufferedImage(56, 56, BufferedImage.TYPE_INT_RGB);
        for (int y = 0; y < 56; y++) for (int x = 20; x < 36; x++) img.setRGB(x, y, 0xffffff);
        ByteArrayOutputStream png = new ByteArrayOutputStream();
        ImageIO.write(img, "png", png);
        Map<String, Object> r = ok(post("/api/upload", "image/png", png.toByteArray()));
        List<?> px = (List<?>) r.get("pixels");
        assertEquals(784, px.size());
        assertEquals(1.0, ((Number) px.get(14 * 28 + 14)).doubleValue(), 1e-6);
        assertEquals(0.0, ((Number) px.get(14 * 28 + 2)).doubleValue(), 1e-6);

        assertTrue(error(post("/api/upload", "image/png", "not an image at all".getBytes(StandardCharsets.UTF_8)), 400).startsWith("not a usable image"));
        assertTrue(error(post("/api/upload", "image/png", new byte[0]), 400).contains("empty"));
        assertEquals(415, post("/api/upload", "text/plain", png.toByteArray()).statusCode());
    }

    @Test
    void aDeclaredOversizedBodyGets413BeforeItIsSent() throws Exception {
        // Only the headers and a few bytes go out: the answer must come without the server waiting for 100 MB.
        String answer = raw("POST /api/upload HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: image/png\r\nContent-Length: 100000000\r\n\r\n",
                "\u0089PNG".getBytes(StandardCharsets.ISO_8859_1));
        assertTrue(answer.startsWith("HTTP/1.1 413"), answer);
        assertTrue(answer.contains("larger than the limit"), answer);
        // The same without a declared length (chunked): read only until it passes the limit.
        HttpResponse<String> chunked = HTTP.send(HttpRequest.newBuilder(base.resolve("/api/predict")).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofInputStream(() -> new java.io.ByteArrayInputStream(new byte[WebServer.MAX_JSON + 10]))).build(),
                HttpResponse.BodyHandlers.ofString());
        assertEquals(413, chunked.statusCode());
    }

    @Test
    void malformedRequestsGet400WithAMessage() throws Exception {
        assertTrue(error(post("/api/predict", "application/json", "{\"pixels\": [1, 2".getBytes(StandardCharsets.UTF_8)), 400).startsWith("malformed JSON"));
        assertTrue(error(post("/api/predict", "application/json", "[1, 2]".getBytes(StandardCharsets.UTF_8)), 400).contains("JSON object"));
        assertTrue(error(postJson("/api/predict", Map.of("pixels", List.of(0.5, 0.5))), 400).contains("needs 784 numbers"));
        assertTrue(error(postJson("/api/predict", Map.of("pixels", pixels(2.0))), 400).contains("in [0, 1]"));
        assertTrue(error(postJson("/api/inspect", Map.of("sample", 100)), 400).contains("out of range"));
        assertTrue(error(get("/api/samples?count=abc"), 400).contains("whole number"));
        assertTrue(raw("GET /api/samples?count=%zz HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n", null).startsWith("HTTP/1.1 400"));
        assertEquals(405, get("/api/predict").statusCode());
        assertEquals(415, post("/api/predict", "text/plain", "{}".getBytes(StandardCharsets.UTF_8)).statusCode());
        assertEquals(404, get("/api/nothing").statusCode());
    }

    @Test
    void urlsCannotReachFilesOutsideThePage() throws Exception {
        for (String path : List.of("/../pom.xml", "/%2e%2e/%2e%2e/pom.xml", "/..%2f..%2fpom.xml", "//etc/passwd", "/static/../../../../etc/passwd",
                "/.%2e/app.js", "/app.js%00.png", "/..\\..\\pom.xml")) {
            String answer = raw("GET " + path + " HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n", null);
            String status = answer.substring(0, answer.indexOf("\r\n"));
            assertTrue(status.contains(" 400 ") || status.contains(" 404 "), path + " -> " + status);
            assertFalse(answer.contains("<project") || answer.contains("root:"), path + " leaked a file");
        }
        // Only the page's own folder is served, and only page file types: not the server's classes.
        for (String path : List.of("/dev/fovea/web/WebServer.class", "/WebServer.class", "/META-INF/MANIFEST.MF")) {
            assertEquals(404, get(path).statusCode(), path);
        }
    }

    @Test
    void otherHostNamesAreRefused() throws Exception {
        String answer = raw("GET /api/model HTTP/1.1\r\nHost: evil.example:80\r\nConnection: close\r\n\r\n", null);
        assertTrue(answer.startsWith("HTTP/1.1 403"), answer);
        assertTrue(raw("GET /api/model HTTP/1.1\r\nHost: localhost:" + base.getPort() + "\r\nConnection: close\r\n\r\n", null).startsWith("HTTP/1.1 200"));
    }

    @Test
    void manyConcurrentRequestsWhileTraining() throws Exception {
        long before = ((Number) ok(get("/api/training")).get("stepCount")).longValue();
        ExecutorService pool = Executors.newFixedThreadPool(8);
        try {
            List<Future<HttpResponse<String>>> answers = new ArrayList<>();
            for (int i = 0; i < 12; i++) {
                int sample = i;
                answers.add(pool.submit(() -> i(sample)));
            }
            for (Future<HttpResponse<String>> f : answers) ok(f.get(120, TimeUnit.SECONDS));
        } finally {
            pool.shutdownNow();
        }
        assertTrue(((Number) ok(get("/api/training")).get("stepCount")).longValue() > before, "training went on meanwhile");
    }

    private static HttpResponse<String> i(int sample) throws Exception {
        return sample % 2 == 0 ? postJson("/api/inspect", Map.of("sample", sample)) : postJson("/api/predict", Map.of("sample", sample));
    }
}
