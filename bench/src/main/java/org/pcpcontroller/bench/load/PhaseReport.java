/*
 * Copyright (c) 2026 PCP Controller authors and others.  All rights reserved.
 *
 * This program and the accompanying materials are made available under the
 * terms of the Eclipse Public License v1.0 which accompanies this distribution,
 * and is available at http://www.eclipse.org/legal/epl-v10.html
 */
package org.pcpcontroller.bench.load;

import com.google.common.collect.ImmutableMap;
import java.util.Locale;
import java.util.Map;
import org.eclipse.jdt.annotation.Nullable;

/**
 * The figures of one phase of a run, over all threads.
 *
 * @param sent requests sent
 * @param answered requests answered
 * @param lost requests not answered within the timeout
 * @param unmatched datagrams from the target that answered no outstanding request (late, duplicate, wrong nonce,
 *     or not a response of the mode)
 * @param sendErrors sends that failed (e.g. ECONNREFUSED after an ICMP port unreachable)
 * @param receiveErrors receives that failed, same causes
 * @param resultCodes answers per result code name
 * @param sendSeconds from the first send to the last
 * @param answerSeconds from the first send to the last answer
 * @param latencyMicros answer latency percentiles in microseconds: p50, p99, p999, max, mean
 * @param targetCpuSeconds CPU time the target used during the phase, or {@code null} without {@code --pid}
 * @param generatorCpuSeconds CPU time the generator itself used during the phase
 */
public record PhaseReport(long sent, long answered, long lost, long unmatched, long sendErrors, long receiveErrors,
        Map<String, Long> resultCodes, double sendSeconds, double answerSeconds, Map<String, Double> latencyMicros,
        @Nullable Double targetCpuSeconds, double generatorCpuSeconds) {
    public PhaseReport {
        resultCodes = ImmutableMap.copyOf(resultCodes);
        latencyMicros = ImmutableMap.copyOf(latencyMicros);
    }

    static PhaseReport of(final Mode mode, final PhaseStats stats, final @Nullable Double targetCpuSeconds,
            final double generatorCpuSeconds) {
        final ImmutableMap.Builder<String, Long> codes = ImmutableMap.builder();
        stats.resultCounts().forEach((code, count) -> codes.put(mode.resultName(code), count));
        final var latency = stats.latency;
        final ImmutableMap<String, Double> micros = stats.answered == 0 ? ImmutableMap.of() : ImmutableMap.of(
            "p50", latency.getValueAtPercentile(50) / 1e3,
            "p99", latency.getValueAtPercentile(99) / 1e3,
            "p999", latency.getValueAtPercentile(99.9) / 1e3,
            "max", latency.getMaxValue() / 1e3,
            "mean", latency.getMean() / 1e3);
        return new PhaseReport(stats.sent, stats.answered, stats.lost, stats.unmatched, stats.sendErrors,
            stats.receiveErrors, codes.buildKeepingLast(), seconds(stats.startNanos, stats.lastSendNanos),
            seconds(stats.startNanos, stats.lastAnswerNanos), micros, targetCpuSeconds, generatorCpuSeconds);
    }

    private static double seconds(final long from, final long to) {
        return to == Long.MIN_VALUE || from == Long.MAX_VALUE ? 0 : Math.max(0, to - from) / 1e9;
    }

    /**
     * Requests sent per second while sending.
     */
    public double sentPerSecond() {
        return sendSeconds > 0 ? sent / sendSeconds : 0;
    }

    /**
     * Answers per second, from the first send to the last answer.
     */
    public double answeredPerSecond() {
        return answerSeconds > 0 ? answered / answerSeconds : 0;
    }

    /**
     * Human-readable lines, indented.
     */
    String text(final String name) {
        final StringBuilder sb = new StringBuilder();
        sb.append(String.format(Locale.ROOT, "%-7s sent %d  answered %d  lost %d  unmatched %d  send errors %d"
            + "  receive errors %d%n", name + ':', sent, answered, lost, unmatched, sendErrors, receiveErrors));
        sb.append(String.format(Locale.ROOT, "        %.0f answers/s (%d in %.3f s), sent %.0f/s%n",
            answeredPerSecond(), answered, answerSeconds, sentPerSecond()));
        sb.append("        results:");
        resultCodes.forEach((code, count) -> sb.append(' ').append(code).append('=').append(count));
        sb.append(System.lineSeparator());
        if (!latencyMicros.isEmpty()) {
            sb.append(String.format(Locale.ROOT, "        latency us: p50 %.1f  p99 %.1f  p99.9 %.1f  max %.1f"
                + "  mean %.1f%n", latencyMicros.get("p50"), latencyMicros.get("p99"), latencyMicros.get("p999"),
                latencyMicros.get("max"), latencyMicros.get("mean")));
        }
        sb.append("        CPU s:");
        if (targetCpuSeconds != null) {
            sb.append(String.format(Locale.ROOT, " target %.2f", targetCpuSeconds));
            if (answered > 0) {
                sb.append(String.format(Locale.ROOT, " (%.1f us/answer)", targetCpuSeconds * 1e6 / answered));
            }
            sb.append(',');
        }
        sb.append(String.format(Locale.ROOT, " generator %.2f%n", generatorCpuSeconds));
        return sb.toString();
    }

    /**
     * The phase as a JSON object.
     */
    String json() {
        final StringBuilder sb = new StringBuilder("{");
        sb.append("\"sent\": ").append(sent).append(", \"answered\": ").append(answered)
            .append(", \"lost\": ").append(lost).append(", \"unmatched\": ").append(unmatched)
            .append(", \"sendErrors\": ").append(sendErrors).append(", \"receiveErrors\": ").append(receiveErrors)
            .append(", \"sendSeconds\": ").append(number(sendSeconds))
            .append(", \"answerSeconds\": ").append(number(answerSeconds))
            .append(", \"sentPerSecond\": ").append(number(sentPerSecond()))
            .append(", \"answeredPerSecond\": ").append(number(answeredPerSecond()))
            .append(", \"resultCodes\": {");
        String separator = "";
        for (var entry : resultCodes.entrySet()) {
            sb.append(separator).append('"').append(entry.getKey()).append("\": ").append(entry.getValue());
            separator = ", ";
        }
        sb.append("}, \"latencyMicros\": {");
        separator = "";
        for (var entry : latencyMicros.entrySet()) {
            sb.append(separator).append('"').append(entry.getKey()).append("\": ").append(number(entry.getValue()));
            separator = ", ";
        }
        sb.append("}, \"targetCpuSeconds\": ").append(targetCpuSeconds == null ? "null" : number(targetCpuSeconds))
            .append(", \"generatorCpuSeconds\": ").append(number(generatorCpuSeconds)).append('}');
        return sb.toString();
    }

    static String number(final double value) {
        return String.format(Locale.ROOT, "%.3f", value);
    }
}
