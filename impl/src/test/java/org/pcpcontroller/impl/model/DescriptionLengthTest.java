/*
 * Copyright (c) 2026 PCP Controller authors and others.  All rights reserved.
 *
 * This program and the accompanying materials are made available under the
 * terms of the Eclipse Public License v1.0 which accompanies this distribution,
 * and is available at http://www.eclipse.org/legal/epl-v10.html
 */
package org.pcpcontroller.impl.model;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;
import org.junit.jupiter.api.Test;
import org.opendaylight.yang.gen.v1.urn.pcpcontroller.yang.pcp.mapping.rev261123.AddMapping;
import org.opendaylight.yang.gen.v1.urn.pcpcontroller.yang.pcp.mapping.rev261123.Mappings;
import org.opendaylight.yang.gen.v1.urn.pcpcontroller.yang.pcp.mapping.rev261123.mappings.Gateway;
import org.opendaylight.yang.gen.v1.urn.pcpcontroller.yang.pcp.mapping.rev261123.mappings.gateway.Map;
import org.opendaylight.yang.gen.v1.urn.pcpcontroller.yang.pcp.mapping.rev261123.mappings.gateway.Peer;
import org.opendaylight.yangtools.yang.common.QName;
import org.opendaylight.yangtools.yang.model.api.LeafSchemaNode;
import org.opendaylight.yangtools.yang.model.api.type.StringTypeDefinition;
import org.pcpcontroller.api.pcp.PcpCodec;
import org.pcpcontroller.impl.TestModel;

/**
 * The model holds every DESCRIPTION a PCP request can carry (RFC 7220): a longer limit is harmless, a shorter one
 * refused at the datastore what the engine had accepted (issue 13, the phantom mapping).
 */
class DescriptionLengthTest {
    /** A MAP request of 1100 octets with nothing but a DESCRIPTION: 24-octet header, 36 of MAP data, 4 of option. */
    private static final int LONGEST_DESCRIPTION = PcpCodec.MAX_MESSAGE_SIZE - PcpCodec.HEADER_SIZE - 36 - 4;

    private static int maxLength(final QName... path) {
        final var leaf = (LeafSchemaNode) TestModel.CONTEXT.findDataTreeChild(List.of(path)).orElseThrow();
        return ((StringTypeDefinition) leaf.getType()).getLengthConstraint().orElseThrow().getAllowedRanges().span()
            .upperEndpoint().intValue();
    }

    @Test
    void aMappingHoldsTheLongestDescriptionARequestCarries() {
        final var description = QName.create(Map.QNAME, "description");
        assertEquals(LONGEST_DESCRIPTION, maxLength(Mappings.QNAME, Gateway.QNAME, Map.QNAME, description));
        assertEquals(LONGEST_DESCRIPTION, maxLength(Mappings.QNAME, Gateway.QNAME, Peer.QNAME, description));
    }

    @Test
    void anOperatorMayGiveAsLongADescription() {
        final var rpc = TestModel.CONTEXT.findModule(AddMapping.QNAME.getModule()).orElseThrow().getRpcs().stream()
            .filter(definition -> definition.getQName().equals(AddMapping.QNAME)).findFirst().orElseThrow();
        final var leaf = (LeafSchemaNode) rpc.getInput().dataChildByName(QName.create(AddMapping.QNAME,
            "description"));
        assertEquals(LONGEST_DESCRIPTION, ((StringTypeDefinition) leaf.getType()).getLengthConstraint()
            .orElseThrow().getAllowedRanges().span().upperEndpoint().intValue());
    }
}
