/*
 * Copyright (c) 2026 PCP Controller authors and others.  All rights reserved.
 *
 * This program and the accompanying materials are made available under the
 * terms of the Eclipse Public License v1.0 which accompanies this distribution,
 * and is available at http://www.eclipse.org/legal/epl-v10.html
 */
package org.pcpcontroller.api.natpmp;

import static java.util.Objects.requireNonNull;

/**
 * The outcome of decoding a NAT-PMP datagram; decoding never throws.
 */
public sealed interface NatPmpDecodeResult {
    /**
     * The datagram is a valid message.
     *
     * @param message the message
     */
    record Decoded(NatPmpMessage message) implements NatPmpDecodeResult {
        public Decoded {
            requireNonNull(message);
        }
    }

    /**
     * The request must be answered with an 8-byte {@link NatPmpMessage.ErrorResponse} (RFC 6886 section 3.5).
     *
     * @param resultCode UNSUPPORTED_VERSION or UNSUPPORTED_OPCODE
     * @param requestOpcode the request's opcode
     * @param reason a human-readable reason, for logs
     */
    record Failed(NatPmpResultCode resultCode, int requestOpcode, String reason) implements NatPmpDecodeResult {
        public Failed {
            requireNonNull(resultCode);
            requireNonNull(reason);
        }

        /**
         * The answer to send.
         *
         * @param epochTime seconds since start of epoch
         */
        public NatPmpMessage.ErrorResponse errorResponse(final long epochTime) {
            return new NatPmpMessage.ErrorResponse(requestOpcode, resultCode, epochTime);
        }
    }

    /**
     * The datagram must be dropped without an answer.
     *
     * @param reason a human-readable reason, for logs
     */
    record Dropped(String reason) implements NatPmpDecodeResult {
        public Dropped {
            requireNonNull(reason);
        }
    }
}
