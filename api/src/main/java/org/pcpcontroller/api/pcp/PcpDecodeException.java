/*
 * Copyright (c) 2026 PCP Controller authors and others.  All rights reserved.
 *
 * This program and the accompanying materials are made available under the
 * terms of the Eclipse Public License v1.0 which accompanies this distribution,
 * and is available at http://www.eclipse.org/legal/epl-v10.html
 */
package org.pcpcontroller.api.pcp;

import static java.util.Objects.requireNonNull;

/**
 * Thrown by parsers to report why a message cannot be accepted. It never leaves {@link PcpCodec}, which turns it
 * into a {@link PcpDecodeResult.Failed}.
 */
public final class PcpDecodeException extends Exception {
    private static final long serialVersionUID = 1L;

    private final transient ResultCode resultCode;

    public PcpDecodeException(final ResultCode resultCode, final String message) {
        super(message);
        this.resultCode = requireNonNull(resultCode);
    }

    public PcpDecodeException(final ResultCode resultCode, final String message, final Throwable cause) {
        super(message, cause);
        this.resultCode = requireNonNull(resultCode);
    }

    public ResultCode resultCode() {
        return resultCode;
    }
}
