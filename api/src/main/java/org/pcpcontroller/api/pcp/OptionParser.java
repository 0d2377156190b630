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
 * Parses the data of one option kind.
 */
@FunctionalInterface
public interface OptionParser {
    /**
     * Parses option data.
     *
     * @param data exactly the option data: the header and the padding are already removed
     * @return the option
     * @throws PcpDecodeException with MALFORMED_OPTION if the data is not valid for this option
     */
    PcpOption parse(ByteBuffer data) throws PcpDecodeException;
}
