/*
 * Copyright (c) 2026 PCP Controller authors and others.  All rights reserved.
 *
 * This program and the accompanying materials are made available under the
 * terms of the Eclipse Public License v1.0 which accompanies this distribution,
 * and is available at http://www.eclipse.org/legal/epl-v10.html
 */
package org.pcpcontroller.impl.gateway;

import java.net.InetAddress;
import org.eclipse.jdt.annotation.Nullable;
import org.pcpcontroller.api.net.IpPrefix;
import org.pcpcontroller.api.net.PortRange;

/**
 * One allow/deny rule in the style of miniupnpd's permission lines. An absent criterion matches anything.
 *
 * @param sequence position; lower is tried first
 * @param allow whether a match permits the mapping
 * @param externalPorts external ports matched
 * @param internalPrefix internal addresses matched
 * @param internalPorts internal ports matched
 */
public record PermissionRule(long sequence, boolean allow, @Nullable PortRange externalPorts,
        @Nullable IpPrefix internalPrefix, @Nullable PortRange internalPorts) {

    boolean matches(final int externalPort, final InetAddress internalAddress, final int internalPort) {
        return (externalPorts == null || externalPorts.contains(externalPort))
            && (internalPrefix == null || internalPrefix.contains(internalAddress))
            && (internalPorts == null || internalPorts.contains(internalPort));
    }
}
