/*
 * Copyright (c) 2026 PCP Controller authors and others.  All rights reserved.
 *
 * This program and the accompanying materials are made available under the
 * terms of the Eclipse Public License v1.0 which accompanies this distribution,
 * and is available at http://www.eclipse.org/legal/epl-v10.html
 */
package org.pcpcontroller.api.natpmp;

/**
 * Range checks of the NAT-PMP records.
 */
final class Fields {
    private Fields() {
        // utility class
    }

    static void checkPort(final int port) {
        if (port < 0 || port > 65535) {
            throw new IllegalArgumentException("Invalid port " + port);
        }
    }

    static void checkU32(final long value) {
        if (value < 0 || value > 0xffffffffL) {
            throw new IllegalArgumentException("Value " + value + " out of range 0..2^32-1");
        }
    }
}
