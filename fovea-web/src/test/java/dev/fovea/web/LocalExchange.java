package dev.fovea.web;

import com.sun.net.httpserver.Headers;
import com.sun.net.httpserver.HttpContext;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpPrincipal;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.HashMap;
import java.util.Map;

/**
 * An exchange made from the raw bytes of one HTTP/1.1 request, as the JDK's server ({@code sun.net.httpserver.ServerImpl})
 * would hand it to a handler, with the answer kept in memory: lets the fuzz test drive {@link WebServer#handle}
 * without sockets. {@link #parse} returns null for what the JDK's server refuses itself before any handler runs
 * (a request line without two spaces, a URI that does not parse, header names with illegal characters, a
 * Content-Length that is not a non-negative number or is repeated or comes with Transfer-Encoding, a
 * Transfer-Encoding other than chunked). The body is the declared Content-Length of the bytes after the headers;
 * fewer bytes than declared make reading fail as a dropped connection does; without a length it is empty, and with
 * {@code Transfer-Encoding: chunked} it is the chunks' contents, up to where the chunking breaks (reading fails there).
 */
final class LocalExchange extends HttpExchange {
    private final String method;
    private final URI uri;
    private final Headers requestHeaders = new Headers(), responseHeaders = new Headers();
    private final Body body;
    private final Sink sink = new Sink();
    private final Map<String, Object> attributes = new HashMap<>();
    private int status = -1;
    private long declaredLength;
    private int headersSent;

    private LocalExchange(String method, URI uri, byte[] body, boolean truncated) {
        this.method = method;
        this.uri = uri;
        this.body = new Body(body, truncated);
    }

    /** The exchange for {@code raw}, or null when the JDK's server answers such a request itself. */
    static LocalExchange parse(byte[] raw) {
        Reader in = new Reader(raw);
        String requestLine;
        do {
            requestLine = in.requestLine();
        } while (requestLine != null && requestLine.isEmpty());
        if (requestLine == null) return null;
        int s1 = requestLine.indexOf(' '), s2 = s1 < 0 ? -1 : requestLine.indexOf(' ', s1 + 1);
        if (s2 < 0) return null;
        URI uri;
        try {
            uri = new URI(requestLine.substring(s1 + 1, s2));
        } catch (URISyntaxException e) {
            return null;
        }
        if (uri.getPath() == null) return null; // no context can match it
        Headers h;
        try {
            h = in.headers();
        } catch (IllegalArgumentException e) {
            return null; // Headers refuses a CR left in a value; the server drops such a connection
        }
        for (String k : h.keySet()) if (!isToken(k)) return null;
        if (h.containsKey("Content-Length") && (h.containsKey("Transfer-encoding") || h.get("Content-Length").size() > 1)) return null;
        byte[] rest = Arrays.copyOfRange(raw, in.pos, raw.length);
        byte[] body;
        boolean truncated = false;
        if (h.containsKey("Transfer-encoding")) {
            if (h.get("Transfer-encoding").size() != 1 || !h.getFirst("Transfer-encoding").equalsIgnoreCase("chunked")) return null;
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            truncated = !dechunk(rest, out);
            body = out.toByteArray();
        } else if (h.containsKey("Content-Length")) {
            long n;
            try {
                n = Long.parseLong(h.getFirst("Content-Length"));
            } catch (NumberFormatException e) {
                return null;
            }
            if (n < 0) return null;
            truncated = n > rest.length;
            body = Arrays.copyOf(rest, (int) Math.min(n, rest.length));
        } else {
            body = new byte[0];
        }
        LocalExchange ex = new LocalExchange(requestLine.substring(0, s1), uri, body, truncated);
        ex.requestHeaders.putAll(h);
        return ex;
    }

    /** The request's head, read by the rules of {@code sun.net.httpserver.Request}. */
    private static final class Reader {
        private static final int CR = '\r', LF = '\n';
        private final byte[] raw;
        int pos;

        Reader(byte[] raw) {
            this.raw = raw;
        }

        private int read() {
            return pos < raw.length ? raw[pos++] & 0xff : -1;
        }

        /** A line ended by CR LF (a CR alone is part of it); null at the end of the input. */
        String requestLine() {
            StringBuilder sb = new StringBuilder();
            boolean cr = false;
            for (int c; ; ) {
                if ((c = read()) < 0) return null;
                if (cr) {
                    if (c == LF) return sb.toString();
                    cr = false;
                    sb.append((char) CR);
                    if (c == CR) cr = true;
                    else sb.append((char) c);
                } else if (c == CR) {
                    cr = true;
                } else {
                    sb.append((char) c);
                }
            }
        }

        /**
         * Header lines up to an empty one: a line ends at CR, LF or CR LF; one starting with a space or tab continues
         * the last; the name runs to the first colon if no space comes before it (else it is empty, which the server
         * refuses); the value is the rest without the spaces around it.
         */
        Headers headers() {
            Headers h = new Headers();
            StringBuilder line = new StringBuilder();
            int first = read();
            if (first == CR || first == LF) {
                int c = read();
                if (c == CR || c == LF) return h;
                line.append((char) first); // the server keeps it as the first header's first character
                first = c;
            }
            while (first != LF && first != CR && first >= 0) {
                int keyEnd = -1;
                boolean inKey = first > ' ';
                line.append((char) first);
                int c;
                scan:
                while (true) {
                    c = read();
                    if (c < 0) {
                        first = -1;
                        break;
                    }
                    switch (c) {
                        case ':' -> {
                            if (inKey && !line.isEmpty()) keyEnd = line.length();
                            inKey = false;
                        }
                        case '\t', ' ' -> {
                            c = ' ';
                            inKey = false;
                        }
                        case CR, LF -> {
                            first = read();
                            if (c == CR && first == LF) {
                                first = read();
                                if (first == CR) first = read();
                            }
                            if (first == LF || first == CR || first > ' ') break scan;
                            c = ' '; // a continuation line
                        }
                        default -> { }
                    }
                    line.append((char) c);
                }
                int len = line.length();
                while (len > 0 && line.charAt(len - 1) <= ' ') len--;
                String key = "";
                int v = 0;
                if (keyEnd > 0) {
                    key = line.substring(0, keyEnd);
                    v = keyEnd;
                    if (v < len && line.charAt(v) == ':') v++;
                    while (v < len && line.charAt(v) <= ' ') v++;
                }
                h.add(key, v >= len ? "" : line.substring(v, len));
                line.setLength(0);
            }
            return h;
        }
    }

    /** Decodes chunked bytes into {@code out}; false when they end or break before the last chunk. */
    private static boolean dechunk(byte[] in, ByteArrayOutputStream out) {
        int pos = 0;
        while (true) {
            int eol = indexOf(Arrays.copyOfRange(in, pos, in.length), new byte[] {'\r', '\n'});
            if (eol < 0) return false;
            String size = new String(in, pos, eol, StandardCharsets.ISO_8859_1);
            int semi = size.indexOf(';');
            int n;
            try {
                n = Integer.parseInt((semi < 0 ? size : size.substring(0, semi)).strip(), 16);
            } catch (NumberFormatException e) {
                return false;
            }
            if (n < 0) return false;
            pos += eol + 2;
            if (n == 0) return true; // trailers are not the handler's business
            if (pos + n + 2 > in.length || in[pos + n] != '\r' || in[pos + n + 1] != '\n') {
                out.write(in, pos, Math.min(n, in.length - pos));
                return false;
            }
            out.write(in, pos, n);
            pos += n + 2;
        }
    }

    /** RFC 9110's token characters: what the JDK accepts in a header name. */
    private static boolean isToken(String s) {
        if (s.isEmpty()) return false;
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (!(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || "!#$%&'*+-.^_`|~".indexOf(c) >= 0)) return false;
        }
        return true;
    }

    private static int indexOf(byte[] a, byte[] pattern) {
        outer:
        for (int i = 0; i + pattern.length <= a.length; i++) {
            for (int j = 0; j < pattern.length; j++) if (a[i + j] != pattern[j]) continue outer;
            return i;
        }
        return -1;
    }

    // ---------------------------------------------------------------- what the handler did

    /** Whether the handler sent a status line. */
    boolean answered() {
        return status >= 0;
    }

    /** How often the handler tried to send the status line (the JDK refuses all but the first). */
    int headersSent() {
        return headersSent;
    }

    /** The length the handler declared: -1 none, 0 streamed, else exact. */
    long declaredLength() {
        return declaredLength;
    }

    byte[] responseBytes() {
        return sink.bytes.toByteArray();
    }

    String responseText() {
        return sink.bytes.toString(StandardCharsets.UTF_8);
    }

    /** Bytes of the request body the handler read. */
    long bodyBytesRead() {
        return body.read;
    }

    /** The request body ended early (the client went away), so the handler may rightly not answer. */
    boolean bodyFailed() {
        return body.failed;
    }

    boolean responseClosed() {
        return sink.closed;
    }

    // ---------------------------------------------------------------- HttpExchange

    @Override
    public Headers getRequestHeaders() {
        return requestHeaders;
    }

    @Override
    public Headers getResponseHeaders() {
        return responseHeaders;
    }

    @Override
    public URI getRequestURI() {
        return uri;
    }

    @Override
    public String getRequestMethod() {
        return method;
    }

    @Override
    public HttpContext getHttpContext() {
        return null;
    }

    @Override
    public void close() {
        sink.closed = true;
    }

    @Override
    public InputStream getRequestBody() {
        return body;
    }

    @Override
    public OutputStream getResponseBody() {
        return sink;
    }

    @Override
    public void sendResponseHeaders(int code, long length) throws IOException {
        headersSent++;
        if (status >= 0) throw new IOException("headers already sent");
        status = code;
        declaredLength = length;
    }

    @Override
    public InetSocketAddress getRemoteAddress() {
        return new InetSocketAddress("127.0.0.1", 40000);
    }

    @Override
    public int getResponseCode() {
        return status;
    }

    @Override
    public InetSocketAddress getLocalAddress() {
        return new InetSocketAddress("127.0.0.1", 8080);
    }

    @Override
    public String getProtocol() {
        return "HTTP/1.1";
    }

    @Override
    public Object getAttribute(String name) {
        return attributes.get(name);
    }

    @Override
    public void setAttribute(String name, Object value) {
        attributes.put(name, value);
    }

    @Override
    public void setStreams(InputStream i, OutputStream o) {
        throw new UnsupportedOperationException("filters are not used");
    }

    @Override
    public HttpPrincipal getPrincipal() {
        return null;
    }

    // ---------------------------------------------------------------- streams

    private static final class Body extends InputStream {
        private final byte[] bytes;
        private final boolean truncated;
        private int pos;
        long read;
        boolean failed;

        Body(byte[] bytes, boolean truncated) {
            this.bytes = bytes;
            this.truncated = truncated;
        }

        @Override
        public int read() throws IOException {
            byte[] one = new byte[1];
            return read(one, 0, 1) < 0 ? -1 : one[0] & 0xff;
        }

        @Override
        public int read(byte[] b, int off, int len) throws IOException {
            if (len == 0) return 0;
            if (pos == bytes.length) {
                if (truncated) {
                    failed = true;
                    throw new IOException("connection closed before all data received");
                }
                return -1;
            }
            int n = Math.min(len, bytes.length - pos);
            System.arraycopy(bytes, pos, b, off, n);
            pos += n;
            read += n;
            return n;
        }
    }

    /**
     * The response body. A streamed answer (length 0: the event stream) ends after its first flush, as when the page
     * is closed: the handler's thread is interrupted, which ends the stream's wait for news.
     */
    private final class Sink extends OutputStream {
        final ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        boolean closed, gone;

        @Override
        public void write(int b) throws IOException {
            write(new byte[] {(byte) b}, 0, 1);
        }

        @Override
        public void write(byte[] b, int off, int len) throws IOException {
            if (status < 0) throw new IOException("the headers must be sent before the body");
            if (declaredLength < 0) throw new IOException("this answer was declared without a body");
            if (gone) throw new IOException("the client went away");
            if (declaredLength > 0 && bytes.size() + len > declaredLength) throw new IOException("more bytes than the declared length");
            bytes.write(b, off, len);
        }

        @Override
        public void flush() {
            if (declaredLength == 0 && bytes.size() > 0) {
                gone = true;
                Thread.currentThread().interrupt();
            }
        }

        @Override
        public void close() {
            closed = true;
        }
    }
}
