package io.ingestobs.loki;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;

class LokiSettingsTest {

    @Test
    void lokiUrlIsTheBaseWhateverFormItIsGivenIn() {
        for (String given : new String[]{"http://loki:3100", "http://loki:3100/", "http://loki:3100//",
                " http://loki:3100 ", "http://loki:3100/loki/api/v1/push", "http://loki:3100/loki/api/v1/push/"}) {
            assertEquals("http://loki:3100", LokiSettings.baseUrl(given), given);
        }
        assertEquals("https://gw.example/tenant-a", LokiSettings.baseUrl("https://gw.example/tenant-a/"),
                "a path prefix before Loki's own is kept");
    }
}
