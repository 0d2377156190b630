/*
 * Copyright (c) 2026 PCP Controller authors and others.  All rights reserved.
 *
 * This program and the accompanying materials are made available under the
 * terms of the Eclipse Public License v1.0 which accompanies this distribution,
 * and is available at http://www.eclipse.org/legal/epl-v10.html
 */
package org.pcpcontroller.bench.load;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import org.junit.jupiter.api.Test;

/**
 * CPU time is utime + stime of /proc/PID/stat in 1/100 s, counted after the parenthesised command name.
 */
class ProcCpuTest {
    @Test
    void sumsUserAndSystemTicksAfterTheCommandName() throws IOException {
        // a command name with spaces and a ')' of its own
        final String stat = "4242 (my (odd) name) S 1 4242 4242 0 -1 4194560 100 0 0 0 250 75 0 0 20 0 3 0 100";
        assertEquals(3.25, ProcCpu.parse(stat), 1e-9);
    }

    @Test
    void readsThisProcess() throws IOException {
        assertTrue(ProcCpu.seconds("self") > 0);
    }

    @Test
    void refusesTruncatedStat() {
        assertThrows(IOException.class, () -> ProcCpu.parse("1 (x) S 1 2"));
    }
}
