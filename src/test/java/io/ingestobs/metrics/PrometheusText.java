package io.ingestobs.metrics;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

import static org.junit.jupiter.api.Assertions.fail;

/** A strict reader of the Prometheus text exposition format (0.0.4), enough to check a scrape in tests. */
final class PrometheusText {

    private static final String NAME = "[a-zA-Z_:][a-zA-Z0-9_:]*";
    private static final String LABEL_NAME = "[a-zA-Z_][a-zA-Z0-9_]*";
    private static final String LABEL_VALUE = "\"(?:[^\"\\\\\\n]|\\\\[\\\\\"n])*\"";
    private static final String LABEL = LABEL_NAME + "=" + LABEL_VALUE;
    private static final String VALUE = "(?:[+-]?(?:\\d+\\.?\\d*|\\.\\d+)(?:[eE][+-]?\\d+)?|[+-]?Inf|NaN)";
    static final Pattern SAMPLE_LINE = Pattern.compile(
            "^(" + NAME + ")(?:\\{((?:" + LABEL + ")(?:," + LABEL + ")*,?)?\\})? (" + VALUE + ")(?: -?\\d+)?$");
    static final Pattern COMMENT_LINE = Pattern.compile(
            "^# (?:HELP " + NAME + "(?: .*)?|TYPE " + NAME + " (?:counter|gauge|histogram|summary|untyped))$"
                    + "|^#(?! HELP| TYPE).*$");
    private static final Pattern ONE_LABEL = Pattern.compile("(" + LABEL_NAME + ")=(" + LABEL_VALUE + "),?");

    record Sample(String name, Map<String, String> labels, double value) {
    }

    private final List<Sample> samples;

    private PrometheusText(List<Sample> samples) {
        this.samples = samples;
    }

    /** Fails the test on any line that is not valid text format. */
    static PrometheusText parse(String scrape) {
        List<Sample> samples = new ArrayList<>();
        String[] lines = scrape.split("\n", -1);
        for (int i = 0; i < lines.length; i++) {
            String line = lines[i];
            if (line.isEmpty()) {
                if (i != lines.length - 1) {
                    fail("empty line " + (i + 1) + " inside the scrape");
                }
                continue;
            }
            if (line.startsWith("#")) {
                if (!COMMENT_LINE.matcher(line).matches()) {
                    fail("line " + (i + 1) + " is not a valid comment: " + line);
                }
                continue;
            }
            Matcher m = SAMPLE_LINE.matcher(line);
            if (!m.matches()) {
                fail("line " + (i + 1) + " is not a valid sample: " + line);
            }
            samples.add(new Sample(m.group(1), labels(m.group(2)), value(m.group(3))));
        }
        return new PrometheusText(samples);
    }

    private static Map<String, String> labels(String text) {
        Map<String, String> labels = new LinkedHashMap<>();
        if (text == null) {
            return labels;
        }
        Matcher m = ONE_LABEL.matcher(text);
        while (m.find()) {
            String quoted = m.group(2);
            labels.put(m.group(1), unescape(quoted.substring(1, quoted.length() - 1)));
        }
        return labels;
    }

    private static String unescape(String escaped) {
        StringBuilder out = new StringBuilder();
        for (int i = 0; i < escaped.length(); i++) {
            char c = escaped.charAt(i);
            if (c == '\\') {
                char next = escaped.charAt(++i);
                out.append(next == 'n' ? '\n' : next);
            } else {
                out.append(c);
            }
        }
        return out.toString();
    }

    private static double value(String text) {
        return switch (text) {
            case "+Inf", "Inf" -> Double.POSITIVE_INFINITY;
            case "-Inf" -> Double.NEGATIVE_INFINITY;
            case "NaN" -> Double.NaN;
            default -> Double.parseDouble(text);
        };
    }

    List<Sample> samples() {
        return samples;
    }

    /** Samples of {@code name} whose labels include {@code labels}. */
    List<Sample> all(String name, Map<String, String> labels) {
        return samples.stream()
                .filter(s -> s.name().equals(name) && s.labels().entrySet().containsAll(labels.entrySet()))
                .collect(Collectors.toList());
    }

    /** The one sample of {@code name} with exactly {@code labels}. */
    Optional<Sample> find(String name, Map<String, String> labels) {
        List<Sample> found = samples.stream()
                .filter(s -> s.name().equals(name) && s.labels().equals(labels)).toList();
        if (found.size() > 1) {
            fail("several samples " + name + labels);
        }
        return found.stream().findFirst();
    }

    double value(String name, Map<String, String> labels) {
        return find(name, labels).orElseGet(() -> fail("no sample " + name + labels + " in\n" + names(name)))
                .value();
    }

    private String names(String name) {
        return samples.stream().filter(s -> s.name().startsWith(name.replaceAll("_(bucket|sum|count|total)$", "")))
                .map(Sample::toString).collect(Collectors.joining("\n"));
    }
}
