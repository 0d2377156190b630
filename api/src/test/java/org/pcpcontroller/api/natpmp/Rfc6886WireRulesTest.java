/*
 * Copyright (c) 2026 PCP Controller authors and others.  All rights reserved.
 *
 * This program and the accompanying materials are made available under the
 * terms of the Eclipse Public License v1.0 which accompanies this distribution,
 * and is available at http://www.eclipse.org/legal/epl-v10.html
 */
package org.pcpcontroller.api.natpmp;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;

import java.util.HexFormat;
import org.junit.jupiter.api.Test;

/**
 * Wire rules of RFC 6886 that docs/rfc-conformance.md found without a test.
 */
class Rfc6886WireRulesTest {
    @Test
    void section3_3_reservedFieldOfAMappingRequestIsIgnored() {
        // TCP, internal 1234, suggested 1234, 3600 s, with the 16 reserved bits set
        final byte[] bytes = HexFormat.of().parseHex("0002ffff04d204d200000e10");
        final var decoded = assertInstanceOf(NatPmpDecodeResult.Decoded.class, NatPmpCodec.decodeRequest(bytes));
        assertEquals(new NatPmpMessage.MappingRequest(MappingProtocol.TCP, 1234, 1234, 3600), decoded.message());
    }
}
