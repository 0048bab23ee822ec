package io.libertycheckpoint.sample;

import jakarta.servlet.annotation.WebServlet;
import jakarta.servlet.http.HttpServlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.time.Duration;
import java.time.Instant;

/**
 * The sample's one endpoint: GET /sample/hello answers a fixed, recognisable line (the first line of
 * the body, which tests match), then how long this JVM has been up and how many requests it served.
 * After a restore the uptime counts from the JVM's original start at checkpoint time.
 */
@WebServlet(urlPatterns = "/hello", loadOnStartup = 1)
public class HelloServlet extends HttpServlet {
    private static final long serialVersionUID = 1L;

    /** The text tests and the demo look for. */
    public static final String GREETING = "Hello from the liberty-checkpoint sample";

    private final Instant started = Instant.now();
    private long requests;

    @Override
    protected void doGet(HttpServletRequest req, HttpServletResponse resp) throws IOException {
        long served;
        synchronized (this) {
            served = ++requests;
        }
        resp.setContentType("text/plain;charset=UTF-8");
        resp.getWriter().printf("%s%nservlet initialised %s ago, request %d, jvm uptime %d ms%n",
                GREETING, Duration.between(started, Instant.now()), served,
                ManagementFactory.getRuntimeMXBean().getUptime());
    }
}
