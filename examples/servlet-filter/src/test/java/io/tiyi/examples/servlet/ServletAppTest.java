package io.tiyi.examples.servlet;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

class ServletAppTest {
    static ServletApp app;
    static final HttpClient HTTP = HttpClient.newHttpClient();

    @BeforeAll
    static void start() throws Exception {
        app = ServletApp.start("127.0.0.1", 0, Path.of(System.getProperty("tiyi.crs.dir", "../../../shared/crs")));
    }

    @AfterAll
    static void stop() throws Exception {
        app.close();
    }

    static HttpResponse<String> send(HttpRequest.Builder b) throws Exception {
        return HTTP.send(b.header("User-Agent", "servlet-test/1.0").header("Accept", "*/*").build(), HttpResponse.BodyHandlers.ofString());
    }

    static URI uri(String pathAndQuery) {
        return URI.create("http://127.0.0.1:" + app.port() + pathAndQuery);
    }

    static HttpRequest.Builder form(String body) {
        return HttpRequest.newBuilder(uri("/greet")).header("Content-Type", "application/x-www-form-urlencoded")
                .POST(HttpRequest.BodyPublishers.ofString(body));
    }

    @Test
    void benignRequestsReachTheServletWithTheirParameters() throws Exception {
        HttpResponse<String> get = send(HttpRequest.newBuilder(uri("/greet?name=world")));
        assertThat(get.statusCode()).isEqualTo(200);
        assertThat(get.body()).isEqualTo("hello world\n");

        HttpResponse<String> post = send(form("name=J%C3%BCrgen"));
        assertThat(post.statusCode()).isEqualTo(200);
        assertThat(post.body()).as("the form body the filter read is parsed for the servlet").isEqualTo("hello Jürgen\n");
    }

    @Test
    void sqlInjectionInTheQueryOrAFormIsBlocked() throws Exception {
        assertThat(send(HttpRequest.newBuilder(uri("/greet?name=1%27%20or%20%271%27%3D%271"))).statusCode()).isEqualTo(403);
        HttpResponse<String> post = send(form("name=x%27%20UNION%20SELECT%20password%20FROM%20users--"));
        assertThat(post.statusCode()).isEqualTo(403);
        assertThat(post.body()).contains("request blocked by the web application firewall (rule 949110)");
    }

    @Test
    void crossSiteScriptingIsBlocked() throws Exception {
        assertThat(send(HttpRequest.newBuilder(uri("/greet?name=%3Cscript%3Ealert(1)%3C/script%3E"))).statusCode()).isEqualTo(403);
    }
}
