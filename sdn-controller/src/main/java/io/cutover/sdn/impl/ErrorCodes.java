package io.cutover.sdn.impl;

import org.projectfloodlight.openflow.protocol.OFErrorMsg;

import java.lang.reflect.Method;

/** The code of an OpenFlow ERROR message, whatever its type (Loxi gives each type's interface its own getter). */
final class ErrorCodes {
    private ErrorCodes() {
    }

    static String code(OFErrorMsg error) {
        for (Class<?> type : error.getClass().getInterfaces()) {
            for (String getter : new String[] {"getCode", "getSubtype"}) {
                try {
                    Method method = type.getMethod(getter);
                    return String.valueOf(method.invoke(error));
                } catch (ReflectiveOperationException ignored) {
                    // not this getter on this interface
                }
            }
        }
        return "unknown";
    }
}
