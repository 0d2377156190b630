/*
 * Copyright (c) 2026 PCP Controller authors and others.  All rights reserved.
 *
 * This program and the accompanying materials are made available under the
 * terms of the Eclipse Public License v1.0 which accompanies this distribution,
 * and is available at http://www.eclipse.org/legal/epl-v10.html
 */
package org.pcpcontroller.impl.render.netfilter;

import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.opendaylight.netconf.api.xml.XmlUtil;
import org.xml.sax.SAXParseException;

/**
 * Gateway replies are parsed by ODL's NETCONF decoder ({@link XmlUtil#readXmlToDocument}) before
 * {@link NetfilterXml} reads them: a reply with a DOCTYPE, which every entity attack needs, is refused at once, and
 * XInclude is not processed. These pin that, so that a change of parser does not open it again.
 */
class NetfilterXmlHardeningTest {
    private static final String BASE = "xmlns=\"urn:ietf:params:xml:ns:netconf:base:1.0\"";

    private static SAXParseException refused(final String xml) {
        return assertTimeoutPreemptively(Duration.ofSeconds(5), () -> assertThrows(SAXParseException.class,
            () -> XmlUtil.readXmlToDocument(new ByteArrayInputStream(xml.getBytes(StandardCharsets.UTF_8)))));
    }

    @Test
    void billionLaughsIsRefusedAtItsDoctype() {
        final var entities = new StringBuilder("<!ENTITY lol0 \"lol\">");
        for (int i = 1; i < 10; i++) {
            entities.append("<!ENTITY lol").append(i).append(" \"").append(("&lol" + (i - 1) + ';').repeat(10))
                .append("\">");
        }
        final var error = refused("<?xml version=\"1.0\"?><!DOCTYPE r [" + entities + "]><rpc-reply " + BASE
            + "><data>&lol9;</data></rpc-reply>");
        assertTrue(error.getMessage().contains("DOCTYPE"), error.getMessage());
    }

    @Test
    void externalEntityIsRefused() {
        refused("<?xml version=\"1.0\"?><!DOCTYPE r [<!ENTITY x SYSTEM \"file:///etc/passwd\">]><rpc-reply " + BASE
            + "><data>&x;</data></rpc-reply>");
    }

    @Test
    void xincludeIsNotProcessed() throws Exception {
        final var doc = XmlUtil.readXmlToDocument(new ByteArrayInputStream(("<rpc-reply " + BASE
            + " xmlns:xi=\"http://www.w3.org/2001/XInclude\"><data><xi:include href=\"file:///etc/passwd\" "
            + "parse=\"text\"/></data></rpc-reply>").getBytes(StandardCharsets.UTF_8)));
        assertTrue(doc.getElementsByTagNameNS("http://www.w3.org/2001/XInclude", "include").getLength() == 1,
            "the include element stays an element");
        assertTrue(NetfilterXml.parseRules(doc).isEmpty());
    }
}
