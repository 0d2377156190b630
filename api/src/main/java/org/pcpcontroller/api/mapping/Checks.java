/*
 * Copyright (c) 2026 PCP Controller authors and others.  All rights reserved.
 *
 * This program and the accompanying materials are made available under the
 * terms of the Eclipse Public License v1.0 which accompanies this distribution,
 * and is available at http://www.eclipse.org/legal/epl-v10.html
 */
package org.pcpcontroller.api.mapping;

/**
 * Range checks shared by the records of this package.
 */
final class Checks {
    private Checks() {
        // utility class
    }

    static void protocol(final int protocol) {
        if (protocol < 0 || protocol > 255) {
            throw new IllegalArgumentException("Invalid protocol " + protocol);
        }
    }

    static void port(final int port) {
        if (port < 0 || port > 65535) {
            throw new IllegalArgumentException("Invalid port " + port);
        }
    }
}
