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
 * Writes the data of one option kind; the codec writes the header, the length and the padding.
 */
@FunctionalInterface
public interface OptionSerializer {
    /**
     * Writes the option data.
     *
     * @param option an option of the class this serializer is registered for
     * @param out where to write
     */
    void serialize(PcpOption option, ByteBuffer out);
}
