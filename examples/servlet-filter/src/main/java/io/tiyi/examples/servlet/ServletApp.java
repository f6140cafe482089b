package io.tiyi.examples.servlet;

import io.tiyi.waf.TiyiWaf;
import io.tiyi.waf.WafMode;
import io.tiyi.waf.WafPolicy;
import io.undertow.Undertow;
import io.undertow.server.HttpHandler;
import io.undertow.servlet.Servlets;
import io.undertow.servlet.api.DeploymentInfo;
import io.undertow.servlet.api.DeploymentManager;
import io.undertow.servlet.util.ImmediateInstanceFactory;
import jakarta.servlet.DispatcherType;
import jakarta.servlet.ServletException;
import jakarta.servlet.http.HttpServlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.file.Path;

/**
 * A servlet application in an embedded servlet container (Undertow servlet) with
 * {@link TiyiWafFilter} in front of it. Run it with the CRS directory and a port:
 * {@code ServletApp /path/to/crs 8082}.
 */
public final class ServletApp implements AutoCloseable {
    private final Undertow server;
    private final DeploymentManager deployment;

    private ServletApp(Undertow server, DeploymentManager deployment) {
        this.server = server;
        this.deployment = deployment;
    }

    /** The application's one servlet: it greets the {@code name} parameter, from the query or a form. */
    public static final class GreetingServlet extends HttpServlet {
        @Override
        protected void service(HttpServletRequest req, HttpServletResponse resp) throws IOException {
            resp.setContentType("text/plain; charset=utf-8");
            resp.getWriter().print("hello " + req.getParameter("name") + "\n");
        }
    }

    /** Starts the application on {@code host:port} (port 0 takes a free one) with the CRS from {@code crsDir}. */
    public static ServletApp start(String host, int port, Path crsDir) throws ServletException {
        // tag::deploy[]
        TiyiWaf waf = TiyiWaf.builder()
                .crs(crsDir)
                .policy(WafPolicy.of(WafMode.BLOCK))
                .build();
        DeploymentInfo app = Servlets.deployment()
                .setClassLoader(ServletApp.class.getClassLoader())
                .setContextPath("/")
                .setDeploymentName("greeting")
                .addServlet(Servlets.servlet("greeting", GreetingServlet.class).addMapping("/*"))
                .addFilter(Servlets.filter("tiyi-waf", TiyiWafFilter.class, new ImmediateInstanceFactory<>(new TiyiWafFilter(waf))))
                .addFilterUrlMapping("tiyi-waf", "/*", DispatcherType.REQUEST);
        DeploymentManager deployment = Servlets.defaultContainer().addDeployment(app);
        deployment.deploy();
        HttpHandler servlets = deployment.start();
        Undertow server = Undertow.builder().addHttpListener(port, host).setHandler(servlets).build();
        server.start();
        // end::deploy[]
        return new ServletApp(server, deployment);
    }

    /** The port the application listens on. */
    public int port() {
        return ((InetSocketAddress) server.getListenerInfo().get(0).getAddress()).getPort();
    }

    @Override
    public void close() throws ServletException {
        server.stop();
        deployment.stop();
        deployment.undeploy();
    }

    public static void main(String[] args) throws ServletException {
        if (args.length != 2) {
            System.err.println("usage: ServletApp CRS_DIR PORT   (for example: ServletApp ../shared/crs 8082)");
            System.exit(2);
        }
        ServletApp app = start("127.0.0.1", Integer.parseInt(args[1]), Path.of(args[0]));
        System.out.println("servlet application on http://127.0.0.1:" + app.port() + "/?name=world");
    }
}
