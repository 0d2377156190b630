/*
 * Copyright (c) 2026 PCP Controller authors and others.  All rights reserved.
 *
 * This program and the accompanying materials are made available under the
 * terms of the Eclipse Public License v1.0 which accompanies this distribution,
 * and is available at http://www.eclipse.org/legal/epl-v10.html
 */
package org.pcpcontroller.bench.load;

import static java.util.Objects.requireNonNull;

import java.util.Locale;
import org.eclipse.jdt.annotation.Nullable;

/**
 * What a run of the {@link LoadGenerator} did.
 *
 * @param options the options of the run (with the self-test target filled in)
 * @param sockets client sockets opened
 * @param threads sending threads used
 * @param main the load phase
 * @param delete the delete phase of {@code --delete-after}, or {@code null}
 */
public record LoadReport(LoadOptions options, int sockets, int threads, PhaseReport main,
        @Nullable PhaseReport delete) {
    public LoadReport {
        requireNonNull(options);
        requireNonNull(main);
    }

    /**
     * The report for people.
     */
    public String text() {
        final StringBuilder sb = new StringBuilder(String.format(Locale.ROOT,
            "%s -> %s:%d, %d clients (%d sockets), window %d, %d thread(s), %s, timeout %.0f ms, warmup %.1f s%n",
            options.mode().cliName(), options.target().getAddress().getHostAddress(), options.target().getPort(),
            options.clients(), sockets, options.window(), threads,
            options.rate() > 0 ? String.format(Locale.ROOT, "open loop at %.0f/s", options.rate()) : "closed loop",
            options.timeoutNanos() / 1e6, options.warmupNanos() / 1e9));
        sb.append(main.text("main"));
        if (delete != null) {
            sb.append(delete.text("delete"));
        }
        return sb.toString();
    }

    /**
     * The report as one JSON object.
     */
    public String json() {
        final StringBuilder sb = new StringBuilder("{");
        sb.append("\"mode\": \"").append(options.mode().cliName()).append('"')
            .append(", \"target\": \"").append(options.target().getAddress().getHostAddress()).append(':')
            .append(options.target().getPort()).append('"')
            .append(", \"clients\": ").append(options.clients())
            .append(", \"firstClient\": \"").append(options.firstClient().getHostAddress()).append('"')
            .append(", \"sockets\": ").append(sockets)
            .append(", \"threads\": ").append(threads)
            .append(", \"window\": ").append(options.window())
            .append(", \"rate\": ").append(options.rate() > 0 ? PhaseReport.number(options.rate()) : "null")
            .append(", \"requests\": ").append(options.requests() > 0 ? Long.toString(options.requests()) : "null")
            .append(", \"durationSeconds\": ")
            .append(options.durationNanos() > 0 ? PhaseReport.number(options.durationNanos() / 1e9) : "null")
            .append(", \"warmupSeconds\": ").append(PhaseReport.number(options.warmupNanos() / 1e9))
            .append(", \"timeoutMillis\": ").append(PhaseReport.number(options.timeoutNanos() / 1e6))
            .append(", \"lifetime\": ").append(options.lifetime())
            .append(", \"pid\": ").append(options.pid() == null ? "null" : '"' + options.pid() + '"')
            .append(", \"main\": ").append(main.json())
            .append(", \"delete\": ").append(delete == null ? "null" : delete.json())
            .append('}');
        return sb.toString();
    }
}
