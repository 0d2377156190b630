/*
 * Copyright (c) 2026 PCP Controller authors and others.  All rights reserved.
 *
 * This program and the accompanying materials are made available under the
 * terms of the Eclipse Public License v1.0 which accompanies this distribution,
 * and is available at http://www.eclipse.org/legal/epl-v10.html
 */
package org.pcpcontroller.api.pcp;

/**
 * The opcode-specific part of a PCP request or response (RFC 6887 section 7). MAP and PEER lay it out the same way
 * in both directions, so one record serves both. Not sealed: a new opcode is a new implementation registered in
 * {@link PcpRegistry}.
 */
public interface OpcodeData {
    /**
     * The opcode this data belongs to.
     */
    Opcode opcode();
}
