/*
 * Copyright (c) 2026 PCP Controller authors and others.  All rights reserved.
 *
 * This program and the accompanying materials are made available under the
 * terms of the Eclipse Public License v1.0 which accompanies this distribution,
 * and is available at http://www.eclipse.org/legal/epl-v10.html
 */
package org.pcpcontroller.impl.ingress.openflow.frame;

import static java.util.Objects.requireNonNull;

/**
 * The outcome of decoding an Ethernet frame. Decoding never throws: a frame that is not a well-formed UDP datagram
 * for this host comes back as {@link Rejected}.
 */
public sealed interface FrameDecodeResult permits FrameDecodeResult.Decoded, FrameDecodeResult.Rejected {
    /**
     * The frame carries a valid UDP datagram.
     *
     * @param frame the datagram and its Ethernet and IP envelope
     */
    record Decoded(UdpFrame frame) implements FrameDecodeResult {
        public Decoded {
            requireNonNull(frame);
        }
    }

    /**
     * The frame is not a valid UDP datagram over IPv4 or IPv6 and must be dropped.
     *
     * @param reason a human-readable reason, for logs and counters
     */
    record Rejected(String reason) implements FrameDecodeResult {
        public Rejected {
            requireNonNull(reason);
        }
    }
}
