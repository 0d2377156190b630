/*
 * Copyright (c) 2026 PCP Controller authors and others.  All rights reserved.
 *
 * This program and the accompanying materials are made available under the
 * terms of the Eclipse Public License v1.0 which accompanies this distribution,
 * and is available at http://www.eclipse.org/legal/epl-v10.html
 */
package org.pcpcontroller.api.pcp;

import static java.util.Objects.requireNonNull;

import org.pcpcontroller.api.mapping.Filter;

/**
 * FILTER (RFC 6887 section 13.3); may appear several times. On the wire the prefix length counts bits of the
 * 128-bit field, so an IPv4 /24 is sent as 120; {@link Filter} counts on the address's own family.
 *
 * @param filter the remote peers allowed
 */
public record FilterOption(Filter filter) implements PcpOption {
    public static final int CODE = 3;

    public FilterOption {
        requireNonNull(filter);
    }
}
