package dev.fovea.web;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import dev.fovea.data.DataException;
import dev.fovea.io.Json;
import dev.fovea.io.ModelFormatException;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.PrintStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Pattern;

/**
 * The page's server, on the JDK's {@code com.sun.net.httpserver}: the static page from this module's resources,
 * JSON endpoints under {@code /api/}, and the live training stream as server-sent events at {@code /api/events}.
 *
 * <p><b>Safety.</b> It binds 127.0.0.1 unless told otherwise, and then also refuses requests whose Host header
 * names another machine (so a web page elsewhere cannot reach it through DNS rebinding). Requests that change
 * something or send data are POSTs with a JSON or image content type, which a page on another origin cannot send
 * without a CORS preflight that this server never grants. Bodies are limited ({@link #MAX_JSON}, {@link #MAX_UPLOAD}):
 * a larger declared length gets HTTP 413 before any of the body is read, and a body without a length is read only
 * up to the limit. Static files are looked up by name in one resource folder; names are restricted to letters,
 * digits, dots, dashes and underscores in slash-separated parts, so no URL can reach anything else. Malformed
 * requests get HTTP 400 with a message, unknown URLs 404, a wrong method 405, a body of the wrong type 415, a request
 * the training's state does not allow yet (momentum before the run has started) 409, and when every replica stays
 * busy for 30 seconds 503; all as JSON {@code {"error": "..."}}. Nothing else answers 500 except a bug.
 */
public final class WebServer implements AutoCloseable {
    public static final int MAX_UPLOAD = 2 << 20;
    public static final int MAX_JSON = 1 << 20;
    /** At most this many pages can follow training at once; each holds one connection. */
    static final int MAX_STREAMS = 16;
    private static final String STATIC = "dev/fovea/web/static/";
    private static final Pattern SAFE_NAME = Pattern.compile("[A-Za-z0-9_-][A-Za-z0-9._-]*(/[A-Za-z0-9_-][A-Za-z0-9._-]*)*");

    private final HttpServer server;
    private final ExecutorService executor;
    private final Api api;
    private final TrainingFeed feed;
    private final boolean loopbackOnly;
    private final AtomicInteger streams = new AtomicInteger();
    private volatile boolean closing;

    private WebServer(HttpServer server, ExecutorService executor, Api api, TrainingFeed feed, boolean loopbackOnly) {
        this.server = server;
        this.executor = executor;
        this.api = api;
        this.feed = feed;
        this.loopbackOnly = loopbackOnly;
    }

    /**
     * Starts serving {@code model} at {@code host}:{@code port} (port 0 picks a free one). With {@code feed}
     * (training live), the page shows and steers it; build the server before training starts, since it makes its
     * copies of the model then (see {@link Replicas}). A host other than a loopback address is allowed but
     * {@code warnings} is told that anyone who can reach it can use the page.
     */
    public static WebServer start(ServedModel model, TrainingFeed feed, String host, int port, PrintStream warnings) throws IOException {
        return start(model, feed, host, port, warnings, SERIAL_KERNELS);
    }

    /** Whether requests run their kernels on their own threads (see {@link Replicas}): no; the load benchmark compares both. */
    static final boolean SERIAL_KERNELS = false;

    static WebServer start(ServedModel model, TrainingFeed feed, String host, int port, PrintStream warnings, boolean serialKernels) throws IOException {
        InetAddress address = InetAddress.getByName(host);
        boolean loopback = address.isLoopbackAddress();
        if (!loopback && warnings != null) {
            warnings.println("warning: serving on " + host + ": anyone who can reach this address can use the page and steer training; "
                    + "the default, 127.0.0.1, keeps it to this machine");
        }
        Replicas replicas = new Replicas(model.model(), feed == null ? null : feed.control(), 2, feed == null ? () -> 0 : feed::weightsVersion,
                serialKernels);
        Api api = new Api(model, replicas, feed);
        HttpServer server = HttpServer.create(new InetSocketAddress(address, port), 64);
        ExecutorService executor = Executors.newVirtualThreadPerTaskExecutor();
        server.setExecutor(executor);
        WebServer ws = new WebServer(server, executor, api, feed, loopback);
        server.createContext("/", ws::handle);
        server.start();
        return ws;
    }

    /** The page's address, such as http://127.0.0.1:8080/. */
    public URI uri() {
        InetSocketAddress a = server.getAddress();
        String host = a.getAddress().getHostAddress();
        if (host.contains(":")) host = "[" + host + "]";
        return URI.create("http://" + host + ":" + a.getPort() + "/");
    }

    @Override
    public void close() {
        closing = true;
        if (feed != null) feed.touched();
        server.stop(0);
        executor.shutdownNow();
    }

    // ---------------------------------------------------------------- dispatch

    /** Answers one exchange; package-private so the fuzz test can drive it without sockets. */
    void handle(HttpExchange ex) throws IOException {
        try (ex) {
            try {
                ex.getResponseHeaders().set("X-Content-Type-Options", "nosniff");
                ex.getResponseHeaders().set("Referrer-Policy", "no-referrer");
                checkHost(ex);
                String path = ex.getRequestURI().getRawPath();
                if (path == null || !path.startsWith("/")) throw new HttpError(400, "malformed request path");
                if (path.startsWith("/api/")) api(ex, path.substring(5));
                else serveStatic(ex, path);
            } catch (HttpError e) {
                error(ex, e.status, e.getMessage());
            } catch (IllegalArgumentException | DataException | ModelFormatException e) {
                error(ex, 400, e.getMessage());
            } catch (Replicas.BusyException e) {
                error(ex, 503, e.getMessage());
            } catch (IOException e) {
                // The browser went away; nothing to answer.
            } catch (RuntimeException e) {
                error(ex, 500, "internal error: " + e);
            }
        }
    }

    /** An answer other than 200, with its message for the page. */
    static final class HttpError extends RuntimeException {
        final int status;

        HttpError(int status, String message) {
            super(message);
            this.status = status;
        }
    }

    /**
     * The Host names of this machine's loopback, with an optional (possibly empty) port: localhost, a numeric
     * 127.x.y.z, [::1]. Only numbers after "127.": a name such as 127.example.org can point anywhere.
     */
    private static final Pattern LOOPBACK_HOST = Pattern.compile("(localhost|127\\.\\d{1,3}\\.\\d{1,3}\\.\\d{1,3}|\\[::1\\])(:\\d*)?",
            Pattern.CASE_INSENSITIVE);

    private void checkHost(HttpExchange ex) {
        if (!loopbackOnly) return;
        String host = ex.getRequestHeaders().getFirst("Host");
        if (host == null) throw new HttpError(400, "the request has no Host header");
        if (!LOOPBACK_HOST.matcher(host).matches()) {
            throw new HttpError(403, "this server answers only requests for 127.0.0.1 or localhost, not '" + host + "'");
        }
    }

    private void api(HttpExchange ex, String route) throws IOException {
        String method = ex.getRequestMethod();
        Map<String, Object> q = Requests.query(ex.getRequestURI().getRawQuery());
        switch (route) {
            case "model" -> json(ex, get(method, () -> api.model()));
            case "training" -> json(ex, get(method, () -> api.training(Requests.queryInt(q, "fromStep", 0), Requests.queryInt(q, "fromEpoch", 0),
                    Requests.queryInt(q, "resets", 0))));
            case "events" -> {
                requireMethod(method, "GET");
                events(ex);
            }
            case "samples" -> json(ex, get(method, () -> api.samples(Requests.queryInt(q, "count", 16), Requests.queryInt(q, "offset", 0))));
            case "confusion" -> json(ex, get(method, () -> api.confusion(Requests.queryInt(q, "limit", 10_000))));
            case "outsize" -> json(ex, get(method, () -> Playground.outputSize(Requests.queryInt(q, "input", 28), Requests.queryInt(q, "kernel", 3),
                    Requests.queryInt(q, "padding", 0), Requests.queryInt(q, "stride", 1), Requests.queryInt(q, "dilation", 1))));
            case "control" -> json(ex, api.control(jsonBody(ex)));
            case "predict" -> json(ex, api.predict(jsonBody(ex)));
            case "inspect" -> json(ex, api.inspect(jsonBody(ex)));
            case "layer" -> json(ex, api.layer(jsonBody(ex)));
            case "explain" -> json(ex, api.explain(jsonBody(ex)));
            case "filter" -> json(ex, api.filter(jsonBody(ex)));
            case "conv1d" -> json(ex, Api.conv1d(jsonBody(ex)));
            case "upload" -> {
                requireMethod(method, "POST");
                String type = contentType(ex);
                if (!type.equals("image/png") && !type.equals("image/jpeg") && !type.equals("application/octet-stream")) {
                    throw new HttpError(415, "upload a PNG or JPEG image (Content-Type image/png or image/jpeg), not '" + type + "'");
                }
                json(ex, api.upload(body(ex, MAX_UPLOAD)));
            }
            default -> throw new HttpError(404, "no such endpoint: /api/" + route);
        }
    }

    private static Map<String, Object> get(String method, java.util.function.Supplier<Map<String, Object>> f) {
        requireMethod(method, "GET");
        return f.get();
    }

    private static void requireMethod(String method, String wanted) {
        if (!method.equals(wanted)) throw new HttpError(405, "use " + wanted + " here, not " + method);
    }

    private static String contentType(HttpExchange ex) {
        String t = ex.getRequestHeaders().getFirst("Content-Type");
        if (t == null) return "";
        int semi = t.indexOf(';');
        return (semi < 0 ? t : t.substring(0, semi)).trim().toLowerCase(Locale.ROOT);
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> jsonBody(HttpExchange ex) throws IOException {
        requireMethod(ex.getRequestMethod(), "POST");
        if (!contentType(ex).equals("application/json")) throw new HttpError(415, "send JSON with Content-Type application/json");
        String text = new String(body(ex, MAX_JSON), StandardCharsets.UTF_8);
        Object v;
        try {
            v = Json.parse(text);
        } catch (IllegalArgumentException e) {
            throw new HttpError(400, "malformed JSON: " + e.getMessage());
        }
        if (!(v instanceof Map<?, ?>)) throw new HttpError(400, "the body must be a JSON object");
        return (Map<String, Object>) v;
    }

    /**
     * The request body, at most {@code limit} bytes: a declared larger length is refused with 413 before reading
     * any of it; an undeclared one is read until it passes the limit.
     */
    static byte[] body(HttpExchange ex, int limit) throws IOException {
        String declared = ex.getRequestHeaders().getFirst("Content-Length");
        if (declared != null) {
            long n;
            try {
                n = Long.parseLong(declared.trim());
            } catch (NumberFormatException e) {
                throw new HttpError(400, "malformed Content-Length: " + declared);
            }
            if (n > limit) throw new HttpError(413, "the body of " + n + " bytes is larger than the limit of " + limit + " bytes");
        }
        InputStream in = ex.getRequestBody();
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        byte[] buf = new byte[16384];
        for (int r; (r = in.read(buf)) > 0; ) {
            out.write(buf, 0, r);
            if (out.size() > limit) throw new HttpError(413, "the body is larger than the limit of " + limit + " bytes");
        }
        return out.toByteArray();
    }

    // ---------------------------------------------------------------- answers

    private static void json(HttpExchange ex, Object value) throws IOException {
        send(ex, 200, "application/json; charset=utf-8", Json.write(value).getBytes(StandardCharsets.UTF_8));
    }

    private static void error(HttpExchange ex, int status, String message) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("error", message == null ? "error" : message);
        try {
            send(ex, status, "application/json; charset=utf-8", Json.write(m).getBytes(StandardCharsets.UTF_8));
        } catch (IOException | IllegalStateException ignored) {
            // The headers were already sent, or the browser went away.
        }
    }

    private static void send(HttpExchange ex, int status, String type, byte[] bytes) throws IOException {
        ex.getResponseHeaders().set("Content-Type", type);
        ex.getResponseHeaders().set("Cache-Control", "no-store");
        ex.sendResponseHeaders(status, bytes.length == 0 ? -1 : bytes.length);
        if (bytes.length > 0) {
            try (OutputStream os = ex.getResponseBody()) {
                os.write(bytes);
            }
        }
    }

    private static final Map<String, String> TYPES = Map.of("html", "text/html; charset=utf-8", "js", "text/javascript; charset=utf-8",
            "css", "text/css; charset=utf-8", "png", "image/png", "svg", "image/svg+xml", "ico", "image/x-icon");

    private void serveStatic(HttpExchange ex, String rawPath) throws IOException {
        String method = ex.getRequestMethod();
        if (!method.equals("GET") && !method.equals("HEAD")) throw new HttpError(405, "use GET here, not " + method);
        String name = rawPath.equals("/") ? "index.html" : rawPath.substring(1);
        // The raw path is checked, so an escaped dot or slash (%2e, %2f) is refused rather than decoded.
        if (!SAFE_NAME.matcher(name).matches() || name.contains("..")) throw new HttpError(400, "malformed file name in the URL");
        int dot = name.lastIndexOf('.');
        String type = dot < 0 ? null : TYPES.get(name.substring(dot + 1));
        if (type == null) throw new HttpError(404, "no such file: /" + name);
        byte[] bytes;
        try (InputStream in = WebServer.class.getClassLoader().getResourceAsStream(STATIC + name)) {
            if (in == null) throw new HttpError(404, "no such file: /" + name);
            bytes = in.readAllBytes();
        }
        if (name.endsWith(".html")) {
            ex.getResponseHeaders().set("Content-Security-Policy",
                    "default-src 'self'; img-src 'self' data: blob:; style-src 'self' 'unsafe-inline'; connect-src 'self'; frame-ancestors 'none'");
        }
        send(ex, 200, type, method.equals("HEAD") ? new byte[0] : bytes);
    }

    // ---------------------------------------------------------------- live training

    /** Server-sent events: an event "training" with the new steps and epochs whenever something changed, at most 5 a second. */
    private void events(HttpExchange ex) throws IOException {
        if (feed == null) throw new HttpError(404, "nothing is training: start the page with 'fovea train --ui' to see training live");
        if (streams.incrementAndGet() > MAX_STREAMS) {
            streams.decrementAndGet();
            throw new HttpError(503, "too many pages are following training; close one");
        }
        try {
            ex.getResponseHeaders().set("Content-Type", "text/event-stream; charset=utf-8");
            ex.getResponseHeaders().set("Cache-Control", "no-store");
            ex.sendResponseHeaders(200, 0);
            OutputStream os = ex.getResponseBody();
            int fromStep = 0, fromEpoch = 0, resets = 0;
            long seen = -1, lastSend = 0;
            while (!closing) {
                long v;
                try {
                    v = feed.await(seen, 15_000);
                    long wait = 200 - (System.currentTimeMillis() - lastSend);
                    if (wait > 0) Thread.sleep(wait);
                } catch (InterruptedException e) {
                    return;
                }
                if (closing) return;
                if (v == seen) {
                    os.write(": keep-alive\n\n".getBytes(StandardCharsets.UTF_8));
                    os.flush();
                    continue;
                }
                Map<String, Object> m = feed.since(fromStep, fromEpoch, resets);
                seen = ((Number) m.get("version")).longValue();
                resets = (Integer) m.get("resets");
                fromStep = (Integer) m.get("fromStep") + ((java.util.List<?>) m.get("steps")).size();
                fromEpoch = (Integer) m.get("fromEpoch") + ((java.util.List<?>) m.get("epochs")).size();
                os.write(("event: training\ndata: " + Json.write(m) + "\n\n").getBytes(StandardCharsets.UTF_8));
                os.flush();
                lastSend = System.currentTimeMillis();
            }
        } finally {
            streams.decrementAndGet();
        }
    }
}
