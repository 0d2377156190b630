/*
 * Copyright (c) 2026 PCP Controller authors and others.  All rights reserved.
 *
 * This program and the accompanying materials are made available under the
 * terms of the Eclipse Public License v1.0 which accompanies this distribution,
 * and is available at http://www.eclipse.org/legal/epl-v10.html
 */
package org.pcpcontroller.api.pcp;

import java.nio.ByteBuffer;

/**
 * Writes the opcode-specific data of one opcode.
 */
@FunctionalInterface
public interface OpcodeSerializer {
    /**
     * Writes the opcode data.
     *
     * @param version 1 or 2
     * @param data data of the opcode this serializer is registered for
     * @param out where to write
     * @throws IllegalArgumentException if the data cannot be written in this version
     */
    void serialize(int version, OpcodeData data, ByteBuffer out);
}
