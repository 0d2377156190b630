/*
 * Copyright (c) 2026 PCP Controller authors and others.  All rights reserved.
 *
 * This program and the accompanying materials are made available under the
 * terms of the Eclipse Public License v1.0 which accompanies this distribution,
 * and is available at http://www.eclipse.org/legal/epl-v10.html
 */
package org.pcpcontroller.api.pcp;

import static java.util.Objects.requireNonNull;

import java.util.Arrays;

/**
 * The outcome of decoding a PCP datagram. Decoding never throws: a message that cannot be accepted comes back as
 * {@link Failed}, with what is needed to answer it, or as {@link Dropped} when RFC 6887 says not to answer.
 */
public sealed interface PcpDecodeResult {
    /**
     * The datagram is a valid message.
     *
     * @param message the message
     */
    record Decoded(PcpMessage message) implements PcpDecodeResult {
        public Decoded {
            requireNonNull(message);
        }
    }

    /**
     * The datagram is a request that must be answered with an error (RFC 6887 section 8.3).
     *
     * @param resultCode the result code to answer with
     * @param responseVersion the version to put in the answer: the request's, or 2 for UNSUPP_VERSION
     * @param reason a human-readable reason, for logs
     * @param request the datagram as received
     */
    record Failed(ResultCode resultCode, int responseVersion, String reason, byte[] request)
            implements PcpDecodeResult {
        public Failed {
            requireNonNull(resultCode);
            requireNonNull(reason);
            request = request.clone();
        }

        @Override
        public byte[] request() {
            return request.clone();
        }

        /**
         * The error response: a copy of the request with the response header filled in
         * ({@link PcpCodec#errorResponse(byte[], int, ResultCode, long, long)}).
         *
         * @param lifetime how long the error is expected to last, in seconds
         * @param epochTime the server's epoch time
         */
        public byte[] errorResponse(final long lifetime, final long epochTime) {
            return PcpCodec.errorResponse(request, responseVersion, resultCode, lifetime, epochTime);
        }

        @Override
        public boolean equals(final Object obj) {
            return this == obj || obj instanceof Failed other && resultCode.equals(other.resultCode)
                && responseVersion == other.responseVersion && reason.equals(other.reason)
                && Arrays.equals(request, other.request);
        }

        @Override
        public int hashCode() {
            return Arrays.hashCode(new Object[] { resultCode, responseVersion, reason, Arrays.hashCode(request) });
        }

        @Override
        public String toString() {
            return "Failed[" + resultCode + ", version " + responseVersion + ": " + reason + "]";
        }
    }

    /**
     * The datagram must be dropped without an answer: too short to carry a version and opcode, or a response.
     *
     * @param reason a human-readable reason, for logs
     */
    record Dropped(String reason) implements PcpDecodeResult {
        public Dropped {
            requireNonNull(reason);
        }
    }
}
