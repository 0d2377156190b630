/*
 * Copyright (c) 2026 PCP Controller authors and others.  All rights reserved.
 *
 * This program and the accompanying materials are made available under the
 * terms of the Eclipse Public License v1.0 which accompanies this distribution,
 * and is available at http://www.eclipse.org/legal/epl-v10.html
 */
package org.pcpcontroller.impl.engine;

/**
 * An ingress's way of sending unsolicited messages to the clients of a gateway it serves.
 */
@FunctionalInterface
public interface Announcer {
    /**
     * Sends an announcement to the clients of a gateway: the PCP part to 224.0.0.1:5350 and [ff02::1]:5350
     * (RFC 6887 section 14.1.1), the NAT-PMP part, when present, to 224.0.0.1:5350 (RFC 6886 section 3.2.1), from
     * the address and port the ingress serves requests on. Must not block.
     */
    void announce(Announcement announcement);
}
