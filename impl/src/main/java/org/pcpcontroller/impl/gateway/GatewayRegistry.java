/*
 * Copyright (c) 2026 PCP Controller authors and others.  All rights reserved.
 *
 * This program and the accompanying materials are made available under the
 * terms of the Eclipse Public License v1.0 which accompanies this distribution,
 * and is available at http://www.eclipse.org/legal/epl-v10.html
 */
package org.pcpcontroller.impl.gateway;

import java.util.List;
import java.util.Optional;

/**
 * The gateways as configured: those that can be served, and why the others cannot.
 */
public interface GatewayRegistry {
    /**
     * The view of a gateway whose configuration is valid, whether enabled or not.
     */
    Optional<GatewayView> lookup(String gatewayId);

    /**
     * Why a configured gateway cannot be served; empty if it can, or if it is not configured.
     */
    List<String> problems(String gatewayId);
}
