package io.cutover.support;

import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpVersion;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class RequestGuardTest {
    @Test
    void anHttp1RequestWithoutHostIsRefused() {
        assertThat(RequestGuard.refusal(HttpVersion.HTTP_1_1, null, HttpMethod.GET, null)).contains("Host");
        assertThat(RequestGuard.refusal(HttpVersion.HTTP_1_0, " ", HttpMethod.GET, null)).contains("Host");
        assertThat(RequestGuard.refusal(HttpVersion.HTTP_1_1, "127.0.0.1:7946", HttpMethod.GET, null)).isNull();
    }

    @Test
    void formsAndUploadsAreRefusedAndJsonGoesOn() {
        assertThat(RequestGuard.refusal(HttpVersion.HTTP_1_1, "h", HttpMethod.POST,
                "application/x-www-form-urlencoded; charset=utf-8")).contains("application/x-www-form-urlencoded");
        assertThat(RequestGuard.refusal(HttpVersion.HTTP_1_1, "h", HttpMethod.PUT, "Multipart/Form-Data; boundary=x\""))
                .startsWith("a body of multipart/form-data").doesNotContain("\"");
        assertThat(RequestGuard.refusal(HttpVersion.HTTP_1_1, "h", HttpMethod.POST, "application/json")).isNull();
        assertThat(RequestGuard.refusal(HttpVersion.HTTP_1_1, "h", HttpMethod.POST, null)).isNull();
    }
}
