/*
 * Copyright (c) 2026 PCP Controller authors and others.  All rights reserved.
 *
 * This program and the accompanying materials are made available under the
 * terms of the Eclipse Public License v1.0 which accompanies this distribution,
 * and is available at http://www.eclipse.org/legal/epl-v10.html
 */
package org.pcpcontroller.api.codec;

import static java.util.Objects.requireNonNull;

import org.pcpcontroller.api.natpmp.NatPmpDecodeResult;
import org.pcpcontroller.api.pcp.PcpDecodeResult;

/**
 * Which protocol a datagram on port 5351 belongs to, and how decoding it went.
 */
public sealed interface DecodeResult {
    /**
     * A PCP datagram (first byte other than 0), including unsupported versions.
     *
     * @param result the PCP decode result
     */
    record Pcp(PcpDecodeResult result) implements DecodeResult {
        public Pcp {
            requireNonNull(result);
        }
    }

    /**
     * A NAT-PMP datagram (first byte 0).
     *
     * @param result the NAT-PMP decode result
     */
    record NatPmp(NatPmpDecodeResult result) implements DecodeResult {
        public NatPmp {
            requireNonNull(result);
        }
    }

    /**
     * An empty datagram: no version, nothing to answer.
     */
    record Empty() implements DecodeResult {
        // no fields
    }
}
