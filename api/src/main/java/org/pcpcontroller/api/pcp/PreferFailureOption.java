/*
 * Copyright (c) 2026 PCP Controller authors and others.  All rights reserved.
 *
 * This program and the accompanying materials are made available under the
 * terms of the Eclipse Public License v1.0 which accompanies this distribution,
 * and is available at http://www.eclipse.org/legal/epl-v10.html
 */
package org.pcpcontroller.api.pcp;

/**
 * PREFER_FAILURE (RFC 6887 section 13.2): fail rather than assign other than the suggested external address and
 * port. It has no data.
 */
public record PreferFailureOption() implements PcpOption {
    public static final int CODE = 2;
}
