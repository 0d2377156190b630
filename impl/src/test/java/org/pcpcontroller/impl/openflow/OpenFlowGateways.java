/*
 * Copyright (c) 2026 PCP Controller authors and others.  All rights reserved.
 *
 * This program and the accompanying materials are made available under the
 * terms of the Eclipse Public License v1.0 which accompanies this distribution,
 * and is available at http://www.eclipse.org/legal/epl-v10.html
 */
package org.pcpcontroller.impl.openflow;

import java.util.List;
import java.util.Set;
import org.opendaylight.yang.gen.v1.urn.pcpcontroller.yang.pcp.gateway.rev261123.DatapathId;
import org.opendaylight.yang.gen.v1.urn.pcpcontroller.yang.pcp.gateway.rev261123.GatewayId;
import org.opendaylight.yang.gen.v1.urn.pcpcontroller.yang.pcp.gateway.rev261123.gateways.GatewayBuilder;
import org.opendaylight.yang.gen.v1.urn.pcpcontroller.yang.pcp.gateway.rev261123.gateways.gateway.OpenflowBuilder;
import org.pcpcontroller.impl.TestModel;
import org.pcpcontroller.impl.gateway.GatewayRegistry;
import org.pcpcontroller.impl.gateway.GatewayView;
import org.pcpcontroller.impl.gateway.InvalidGatewayException;

/**
 * Gateways whose {@code openflow} section claims a datapath, parsed as the registry parses them (so that
 * fingerprints are normalised as in production).
 */
final class OpenFlowGateways {
    private OpenFlowGateways() {
        // utility
    }

    /**
     * A gateway claiming one datapath, pinned to these certificates (none: not pinned).
     */
    static GatewayView claiming(final String gateway, final String datapath, final String... certificateSha256)
            throws InvalidGatewayException {
        return TestModel.PARSER.parse(new GatewayBuilder()
            .setId(new GatewayId(gateway))
            .setOpenflow(new OpenflowBuilder()
                .setDatapathId(Set.of(new DatapathId(datapath)))
                .setCertificateSha256(Set.of(certificateSha256))
                .build())
            .build(), null);
    }

    /**
     * The change a registry tells when a gateway starts being served.
     */
    static List<GatewayRegistry.ViewChange> added(final GatewayView view) {
        return List.of(new GatewayRegistry.ViewChange(view.id(), null, view));
    }
}
