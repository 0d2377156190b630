/*
 * Copyright (c) 2026 PCP Controller authors and others.  All rights reserved.
 *
 * This program and the accompanying materials are made available under the
 * terms of the Eclipse Public License v1.0 which accompanies this distribution,
 * and is available at http://www.eclipse.org/legal/epl-v10.html
 */
package org.pcpcontroller.it;

import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Running the real peers' tools from the system tests: commands whose failure fails the test.
 */
final class Shell {
    private static final Logger LOG = LoggerFactory.getLogger(Shell.class);

    private Shell() {
        // utility
    }

    /**
     * Runs a command and returns its standard output; a non-zero exit fails the test. Standard error is kept apart
     * (tshark's "Running as user root" must not mix with the fields it prints) and logged.
     */
    static String run(final Path workdir, final Map<String, String> environment, final String... command)
            throws Exception {
        final var errors = Files.createTempFile(workdir, "stderr", ".txt");
        final var builder = new ProcessBuilder(command).redirectError(errors.toFile());
        builder.environment().putAll(environment);
        final var process = builder.start();
        final var output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(process.waitFor(120, TimeUnit.SECONDS), "timed out: " + String.join(" ", command));
        final var stderr = Files.readString(errors);
        Files.delete(errors);
        LOG.info("{}:\n{}", String.join(" ", command) + " (exit " + process.exitValue() + ")", output + stderr);
        if (process.exitValue() != 0) {
            fail(String.join(" ", command) + " failed with " + process.exitValue() + ":\n" + output + stderr);
        }
        return output;
    }

    /**
     * Runs a command and returns its exit code, for commands whose failure is an expected outcome.
     */
    static int exit(final String... command) throws Exception {
        final var process = new ProcessBuilder(command).redirectErrorStream(true).start();
        final var output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(process.waitFor(60, TimeUnit.SECONDS), "timed out: " + String.join(" ", command));
        LOG.info("{}:\n{}", String.join(" ", command) + " (exit " + process.exitValue() + ")", output);
        return process.exitValue();
    }

    /**
     * Whether a tool is installed (on the PATH, or in /usr/sbin, which a non-login root shell may lack).
     */
    static boolean onPath(final String tool) {
        return Arrays.stream((System.getenv("PATH") + ":/usr/sbin").split(":"))
            .anyMatch(dir -> Files.isExecutable(Path.of(dir, tool)));
    }
}
