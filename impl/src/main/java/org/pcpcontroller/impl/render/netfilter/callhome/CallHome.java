/*
 * Copyright (c) 2026 PCP Controller authors and others.  All rights reserved.
 *
 * This program and the accompanying materials are made available under the
 * terms of the Eclipse Public License v1.0 which accompanies this distribution,
 * and is available at http://www.eclipse.org/legal/epl-v10.html
 */
package org.pcpcontroller.impl.render.netfilter.callhome;

/**
 * NETCONF Call Home (RFC 8071): gateways that the controller cannot dial call it, and are told apart by their SSH
 * host key alone, since their address is a carrier NAT's. The controller listens only while at least one gateway is
 * registered.
 */
public interface CallHome {
    /**
     * Lets a gateway call home. A connection whose SSH host key has the fingerprint given is this gateway's: the
     * controller authenticates to it with the credentials given and runs NETCONF over it. Registering a gateway again
     * replaces its earlier registration; a fingerprint identifies at most one gateway.
     *
     * @param gateway the gateway's id
     * @param hostKeySha256 the host key's SHA-256 fingerprint as OpenSSH prints it ({@code SHA256:} and unpadded
     *     base64): the pinned one, or one recorded earlier. Trust on first use cannot identify a caller
     * @param credentials how to authenticate to the gateway's SSH server
     */
    Registration register(String gateway, String hostKeySha256, SshCredentials credentials);

    /**
     * What the listener has seen since the controller started.
     */
    CallHomeCounters counters();
}
