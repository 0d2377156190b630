/*
 * Copyright (c) 2026 PCP Controller authors and others.  All rights reserved.
 *
 * This program and the accompanying materials are made available under the
 * terms of the Eclipse Public License v1.0 which accompanies this distribution,
 * and is available at http://www.eclipse.org/legal/epl-v10.html
 */
package org.pcpcontroller.api.net;

/**
 * An inclusive range of transport ports.
 *
 * @param start first port
 * @param end last port, not below start
 */
public record PortRange(int start, int end) {
    public static final PortRange ALL = new PortRange(0, 65535);

    public PortRange {
        if (start < 0 || end > 65535 || start > end) {
            throw new IllegalArgumentException("Invalid port range " + start + ".." + end);
        }
    }

    public boolean contains(final int port) {
        return port >= start && port <= end;
    }

    public int size() {
        return end - start + 1;
    }

    @Override
    public String toString() {
        return start + ".." + end;
    }
}
