/*
 * Copyright (c) 2026 PCP Controller authors and others.  All rights reserved.
 *
 * This program and the accompanying materials are made available under the
 * terms of the Eclipse Public License v1.0 which accompanies this distribution,
 * and is available at http://www.eclipse.org/legal/epl-v10.html
 */
package org.pcpcontroller.impl.render.netfilter.callhome;

import com.google.common.util.concurrent.ListenableFuture;
import org.opendaylight.netconf.client.NetconfClientSession;
import org.opendaylight.netconf.client.NetconfClientSessionListener;

/**
 * A gateway registered to call home: where its NETCONF sessions come from, one at a time.
 */
public interface CallHomeGateway extends AutoCloseable {
    /**
     * The gateway's next NETCONF session, once it called, proved its host key, accepted the credentials and said
     * hello: the same as {@link org.opendaylight.netconf.client.NetconfClientFactory#createClient} gives for a
     * gateway the controller dials. The listener sees {@code onSessionUp} before the future completes, then every
     * message and the session's end.
     *
     * <p>The future has no time limit of its own: a gateway calls when it can. It fails with an
     * {@link java.io.IOException} saying why when a call of this gateway failed (authentication, hello), when the
     * listener cannot listen, and when the registration ends. Asking again replaces the earlier request, which then
     * fails; cancelling the future withdraws the request. The caller owns the session it gets and closes it.
     */
    ListenableFuture<NetconfClientSession> nextSession(NetconfClientSessionListener listener);

    /**
     * Ends the registration: a pending request fails, a connection held for the gateway is closed; a session
     * handed out stays with its owner.
     */
    @Override
    void close();
}
