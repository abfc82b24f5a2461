package dev.fovea.web;

import javax.imageio.ImageIO;
import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Collections;

/**
 * Writes the seed corpus of {@link RequestFuzzTest} into {@code src/test/resources/dev/fovea/web/RequestFuzzTestInputs/request/}:
 * one raw HTTP request per file, a valid one for every endpoint and the typical broken ones. Run from the module folder:
 * {@code java --add-modules jdk.incubator.vector -cp target/test-classes:target/classes:<dependencies> dev.fovea.web.RequestSeeds}.
 */
public final class RequestSeeds {
    private RequestSeeds() {}

    private static final String HOST = "Host: 127.0.0.1\r\n";

    public static void main(String[] args) throws IOException {
        Path dir = Path.of(args.length > 0 ? args[0] : "src/test/resources/dev/fovea/web/RequestFuzzTestInputs/request");
        Files.createDirectories(dir);
        // The page and its files.
        get(dir, "page", "/");
        get(dir, "script", "/app.js");
        write(dir, "head-style", ("HEAD /style.css HTTP/1.1\r\n" + HOST + "\r\n").getBytes(StandardCharsets.ISO_8859_1));
        get(dir, "model", "/api/model");
        get(dir, "training", "/api/training?fromStep=0&fromEpoch=0&resets=0");
        get(dir, "events", "/api/events");
        get(dir, "samples", "/api/samples?count=8&offset=1");
        get(dir, "confusion", "/api/confusion?limit=20");
        get(dir, "outsize", "/api/outsize?input=28&kernel=5&padding=2&stride=2&dilation=1");
        // JSON endpoints.
        json(dir, "predict-sample", "/api/predict", "{\"sample\":3}");
        json(dir, "predict-pixels", "/api/predict", "{\"pixels\":[" + String.join(",", Collections.nCopies(784, "0.5")) + "]}");
        json(dir, "inspect", "/api/inspect", "{\"sample\":1,\"target\":2}");
        json(dir, "layer", "/api/layer", "{\"sample\":0,\"path\":\"0\"}");
        json(dir, "explain-conv", "/api/explain", "{\"sample\":0,\"path\":\"3\",\"channel\":5}");
        json(dir, "explain-softmax", "/api/explain", "{\"sample\":0,\"path\":\"softmax\"}");
        json(dir, "filter-named", "/api/filter", "{\"sample\":2,\"kernel\":\"gaussian\",\"sigma\":1.5}");
        json(dir, "filter-custom", "/api/filter", "{\"sample\":2,\"kernel\":\"custom\",\"weights\":[[0,1,0],[1,-4,1],[0,1,0]]}");
        json(dir, "conv1d", "/api/conv1d", "{\"signal\":[1,2,3,4],\"kernel\":[1,0,-1],\"flip\":true,\"padding\":1}");
        json(dir, "control", "/api/control", "{\"learningRate\":0.05,\"momentum\":0.9,\"batchSize\":16}");
        json(dir, "control-pause", "/api/control", "{\"action\":\"pause\"}");
        upload(dir, "upload-png", "image/png", image("png"));
        upload(dir, "upload-jpeg", "image/jpeg", image("jpeg"));
        // Broken requests.
        json(dir, "bad-json", "/api/predict", "{\"pixels\": [1, 2");
        json(dir, "json-array", "/api/inspect", "[1, 2]");
        json(dir, "deep-json", "/api/predict", "[".repeat(200));
        json(dir, "pixels-short", "/api/predict", "{\"pixels\":[0.5,0.5]}");
        json(dir, "sample-out-of-range", "/api/inspect", "{\"sample\":100000}");
        json(dir, "no-such-layer", "/api/explain", "{\"sample\":0,\"path\":\"nope\",\"channel\":99}");
        json(dir, "bad-kernel", "/api/filter", "{\"sample\":0,\"kernel\":\"custom\",\"weights\":[[1,2],[3]]}");
        get(dir, "bad-escape", "/api/samples?count=%zz");
        get(dir, "not-a-number", "/api/samples?count=abc&offset=-1");
        get(dir, "traversal", "/%2e%2e/%2e%2e/pom.xml");
        get(dir, "traversal-dots", "/static/../../../../etc/passwd");
        get(dir, "class-file", "/dev/fovea/web/WebServer.class");
        get(dir, "unknown-endpoint", "/api/nothing");
        write(dir, "foreign-host", "GET /api/model HTTP/1.1\r\nHost: evil.example:80\r\n\r\n".getBytes(StandardCharsets.ISO_8859_1));
        write(dir, "rebinding-host", "GET /api/model HTTP/1.1\r\nHost: 127.0.0.1.example.org\r\n\r\n".getBytes(StandardCharsets.ISO_8859_1));
        write(dir, "empty-port", "GET /api/model HTTP/1.1\r\nHost: localhost:\r\n\r\n".getBytes(StandardCharsets.ISO_8859_1));
        write(dir, "no-host", "GET /api/model HTTP/1.1\r\n\r\n".getBytes(StandardCharsets.ISO_8859_1));
        write(dir, "oversized", ("POST /api/upload HTTP/1.1\r\n" + HOST + "Content-Type: image/png\r\nContent-Length: 100000000\r\n\r\n\u0089PNG")
                .getBytes(StandardCharsets.ISO_8859_1));
        write(dir, "truncated-body", ("POST /api/predict HTTP/1.1\r\n" + HOST + "Content-Type: application/json\r\nContent-Length: 50\r\n\r\n{\"sample\"")
                .getBytes(StandardCharsets.ISO_8859_1));
        write(dir, "chunked", ("POST /api/conv1d HTTP/1.1\r\n" + HOST + "Content-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n"
                + "1b\r\n{\"signal\":[1],\"kernel\":[1]}\r\n0\r\n\r\n").getBytes(StandardCharsets.ISO_8859_1));
        write(dir, "chunked-broken", ("POST /api/conv1d HTTP/1.1\r\n" + HOST + "Content-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n"
                + "1c\r\n{\"signal\":[1],\"kernel\":[1]}\r\n0\r\n\r\n").getBytes(StandardCharsets.ISO_8859_1));
        write(dir, "wrong-method", ("DELETE /api/predict HTTP/1.1\r\n" + HOST + "\r\n").getBytes(StandardCharsets.ISO_8859_1));
        upload(dir, "wrong-type", "text/plain", "hello".getBytes(StandardCharsets.UTF_8));
        upload(dir, "upload-garbage", "image/png", "\u0089PNG\r\n\u001a\nnot really".getBytes(StandardCharsets.ISO_8859_1));
        upload(dir, "upload-empty", "image/jpeg", new byte[0]);
        write(dir, "bad-request-line", "GARBAGE\r\n\r\n".getBytes(StandardCharsets.ISO_8859_1));
    }

    private static void get(Path dir, String name, String target) throws IOException {
        write(dir, name, ("GET " + target + " HTTP/1.1\r\n" + HOST + "\r\n").getBytes(StandardCharsets.ISO_8859_1));
    }

    private static void json(Path dir, String name, String target, String body) throws IOException {
        post(dir, name, target, "application/json", body.getBytes(StandardCharsets.UTF_8));
    }

    private static void upload(Path dir, String name, String type, byte[] body) throws IOException {
        post(dir, name, "/api/upload", type, body);
    }

    private static void post(Path dir, String name, String target, String type, byte[] body) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.write(("POST " + target + " HTTP/1.1\r\n" + HOST + "Content-Type: " + type + "\r\nContent-Length: " + body.length + "\r\n\r\n")
                .getBytes(StandardCharsets.ISO_8859_1));
        out.write(body);
        write(dir, name, out.toByteArray());
    }

    /** A small 12 x 12 picture: a bright bar on black. */
    private static byte[] image(String format) throws IOException {
        BufferedImage img = new BufferedImage(12, 12, BufferedImage.TYPE_INT_RGB);
        for (int y = 2; y < 5; y++) for (int x = 1; x < 11; x++) img.setRGB(x, y, 0xffffff);
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ImageIO.write(img, format, out);
        return out.toByteArray();
    }

    private static void write(Path dir, String name, byte[] bytes) throws IOException {
        Files.write(dir.resolve(name), bytes);
    }
}
