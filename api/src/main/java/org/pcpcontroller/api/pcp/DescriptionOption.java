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
 * DESCRIPTION (RFC 7220): free UTF-8 text, optional-to-process.
 *
 * @param description the text
 */
public record DescriptionOption(String description) implements PcpOption {
    public static final int CODE = 128;

    public DescriptionOption {
        requireNonNull(description);
    }
}
