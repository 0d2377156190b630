/*
 * Copyright (c) 2026 PCP Controller authors and others.  All rights reserved.
 *
 * This program and the accompanying materials are made available under the
 * terms of the Eclipse Public License v1.0 which accompanies this distribution,
 * and is available at http://www.eclipse.org/legal/epl-v10.html
 */
package org.pcpcontroller.bench.load;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * CPU time of a Linux process from {@code /proc/PID/stat} (proc(5)): user time (field 14) plus system time (field
 * 15), summed over all its threads, in clock ticks of {@code USER_HZ}, which the kernel ABI fixes at 100 per second.
 */
final class ProcCpu {
    private static final double USER_HZ = 100.0;

    private ProcCpu() {
        // utility class
    }

    /**
     * CPU seconds used so far by process {@code pid} ("self" for this one).
     *
     * @throws IOException if the process does not exist or the file cannot be parsed
     */
    static double seconds(final String pid) throws IOException {
        return parse(Files.readString(Path.of("/proc", pid, "stat"), StandardCharsets.US_ASCII));
    }

    /**
     * Parses the content of a stat file.
     *
     * @throws IOException if it has too few fields
     */
    static double parse(final String stat) throws IOException {
        // the command name (field 2) is in parentheses and may hold spaces; count fields after the last ')'
        final int close = stat.lastIndexOf(')');
        final String[] fields = stat.substring(close + 1).trim().split(" +");
        // fields[0] is field 3 (state), so utime (14) and stime (15) are at 11 and 12
        if (close < 0 || fields.length < 13) {
            throw new IOException("Unexpected /proc stat format: " + stat);
        }
        try {
            return (Long.parseLong(fields[11]) + Long.parseLong(fields[12])) / USER_HZ;
        } catch (NumberFormatException e) {
            throw new IOException("Unexpected /proc stat format: " + stat, e);
        }
    }
}
