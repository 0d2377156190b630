/*
 * Copyright (c) 2026 PCP Controller authors and others.  All rights reserved.
 *
 * This program and the accompanying materials are made available under the
 * terms of the Eclipse Public License v1.0 which accompanies this distribution,
 * and is available at http://www.eclipse.org/legal/epl-v10.html
 */
package org.pcpcontroller.impl.openflow;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;
import org.pcpcontroller.impl.gateway.GatewayView;

/**
 * Which connection may hold a datapath (issue 13 #3): a gateway's {@code openflow/certificate-sha256} binds its
 * datapaths to those certificates, so that a switch that merely reports the datapath id cannot take the gateway's
 * punt path; without it, or for a datapath no gateway claims, the reported id is taken as it is.
 */
class ClaimsTest {
    private static final String DATAPATH = "00:00:00:00:00:00:00:0a";
    private static final String PINNED = "AB:" + "00:".repeat(30) + "01";
    private static final String ALSO_PINNED = "AB:" + "00:".repeat(30) + "02";
    private static final String OTHER = "CD:" + "00:".repeat(30) + "01";

    private static GatewayView.OpenFlow claiming(final String datapath, final String... certificateSha256) {
        return new GatewayView.OpenFlow(List.of(datapath), 500, List.of(), List.of(certificateSha256));
    }

    private static Claims.Admission.Admitted admitted(final Claims.Admission admission) {
        return assertInstanceOf(Claims.Admission.Admitted.class, admission);
    }

    private static String refused(final Claims.Admission admission) {
        return assertInstanceOf(Claims.Admission.Refused.class, admission).reason();
    }

    @Test
    void aDatapathNoGatewayClaimsIsAdmittedUnbound() {
        final var claims = Claims.NONE.with("gw", claiming(DATAPATH, PINNED));
        assertNull(admitted(claims.admit("00:00:00:00:00:00:00:0b", null)).binding());
        assertNull(admitted(claims.admit("00:00:00:00:00:00:00:0b", OTHER)).binding());
    }

    @Test
    void aDatapathClaimedWithoutCertificatesIsAdmittedToItsGatewayOverAnyConnection() {
        final var claims = Claims.NONE.with("gw", claiming(DATAPATH));
        assertEquals("gw", admitted(claims.admit(DATAPATH, null)).binding().gateway());
        assertEquals("gw", admitted(claims.admit(DATAPATH, OTHER)).binding().gateway());
    }

    @Test
    void aPinnedDatapathIsAdmittedWithAnyOfItsCertificates() {
        final var claims = Claims.NONE.with("gw", claiming(DATAPATH, PINNED, ALSO_PINNED));
        assertEquals("gw", admitted(claims.admit(DATAPATH, PINNED)).binding().gateway());
        assertEquals("gw", admitted(claims.admit(DATAPATH, ALSO_PINNED)).binding().gateway());
    }

    @Test
    void aPinnedDatapathIsRefusedToAnotherCertificate() {
        final var claims = Claims.NONE.with("gw", claiming(DATAPATH, PINNED));
        final var reason = refused(claims.admit(DATAPATH, OTHER));
        assertTrue(reason.contains(OTHER) && reason.contains("gw"), reason);
    }

    @Test
    void aPinnedDatapathIsRefusedToAConnectionWithoutACertificate() {
        final var claims = Claims.NONE.with("gw", claiming(DATAPATH, PINNED));
        final var reason = refused(claims.admit(DATAPATH, null));
        assertTrue(reason.contains("no certificate"), reason);
    }

    @Test
    void aSecondGatewayClaimingAPinnedDatapathDoesNotUnpinIt() {
        // the first gateway id keeps a datapath two gateways claim, whatever order they came in: an unpinned claim
        // of the other gateway is no way around the pin
        final var oneWay = Claims.NONE.with("a", claiming(DATAPATH, PINNED)).with("b", claiming(DATAPATH));
        final var otherWay = Claims.NONE.with("b", claiming(DATAPATH)).with("a", claiming(DATAPATH, PINNED));
        for (var claims : List.of(oneWay, otherWay)) {
            refused(claims.admit(DATAPATH, null));
            assertEquals("a", admitted(claims.admit(DATAPATH, PINNED)).binding().gateway());
        }
    }

    @Test
    void aGatewayThatGoesNoLongerClaimsItsDatapaths() {
        final var claims = Claims.NONE.with("gw", claiming(DATAPATH, PINNED)).with("gw", null);
        assertNull(admitted(claims.admit(DATAPATH, null)).binding());
    }
}
