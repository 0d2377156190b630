/*
 * Copyright (c) 2026 PCP Controller authors and others.  All rights reserved.
 *
 * This program and the accompanying materials are made available under the
 * terms of the Eclipse Public License v1.0 which accompanies this distribution,
 * and is available at http://www.eclipse.org/legal/epl-v10.html
 */
package org.pcpcontroller.impl.gateway;

import java.util.List;

/**
 * A gateway configuration that cannot be served, with every problem found.
 */
public final class InvalidGatewayException extends Exception {
    private static final long serialVersionUID = 1L;

    private final List<String> problems;

    public InvalidGatewayException(final String gatewayId, final List<String> problems) {
        super("Gateway " + gatewayId + ": " + String.join("; ", problems));
        this.problems = List.copyOf(problems);
    }

    public List<String> problems() {
        return problems;
    }
}
