/*
 * Copyright (c) 2026 PCP Controller authors and others.  All rights reserved.
 *
 * This program and the accompanying materials are made available under the
 * terms of the Eclipse Public License v1.0 which accompanies this distribution,
 * and is available at http://www.eclipse.org/legal/epl-v10.html
 */
package org.pcpcontroller.api.pcp;

import java.nio.ByteBuffer;
import java.util.OptionalInt;

/**
 * Parses the opcode-specific data of one opcode.
 */
public interface OpcodeParser {
    /**
     * The fixed length of the opcode data in this version; empty if the opcode does not exist in this version (the
     * codec then answers UNSUPP_OPCODE).
     */
    OptionalInt length(int version);

    /**
     * Parses the opcode data.
     *
     * @param version 1 or 2
     * @param data a buffer with at least {@link #length(int)} bytes remaining; the parser consumes exactly those
     * @return the data
     * @throws PcpDecodeException if the data is not acceptable
     */
    OpcodeData parse(int version, ByteBuffer data) throws PcpDecodeException;
}
