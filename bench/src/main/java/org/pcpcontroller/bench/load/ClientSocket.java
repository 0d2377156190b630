/*
 * Copyright (c) 2026 PCP Controller authors and others.  All rights reserved.
 *
 * This program and the accompanying materials are made available under the
 * terms of the Eclipse Public License v1.0 which accompanies this distribution,
 * and is available at http://www.eclipse.org/legal/epl-v10.html
 */
package org.pcpcontroller.bench.load;

import static java.util.Objects.requireNonNull;

import java.net.InetAddress;
import org.eclipse.jdt.annotation.Nullable;
import org.pcpcontroller.api.mapping.Nonce;

/**
 * What one client socket of the generator sends as.
 *
 * @param address the source address, also the PCP client IP address field
 * @param nonce the MAP nonce of the client, or {@code null} for modes without one
 * @param firstPort first internal port of its MAP requests
 * @param lastPort last internal port; after it the sequence starts again at {@code firstPort} (refreshes)
 */
record ClientSocket(InetAddress address, @Nullable Nonce nonce, int firstPort, int lastPort) {
    ClientSocket {
        requireNonNull(address);
        if (firstPort < 1 || lastPort < firstPort || lastPort > 65535) {
            throw new IllegalArgumentException("Bad port block " + firstPort + ".." + lastPort);
        }
    }
}
