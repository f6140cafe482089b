package io.tiyi.waf.injection;

/**
 * libinjection's XSS blacklists (libinjection_xss.c): tag names, attribute names and event handler names, with its
 * comparison rules. Names are compared as the C code's {@code cstrcasecmp_with_null} does: ASCII case-insensitive and
 * skipping NULs in the input ({@code <scr\0ipt>} is a script tag). Stateless; the tables are built once.
 */
final class XssBlacklist {

    /** Tags that run script or load content, compared whole. Besides these, any tag starting with svg or xsl. */
    private static final String[] TAGS = {
        "APPLET", "BASE", "COMMENT" /* IE, html5sec #38 */, "EMBED", "FRAME", "FRAMESET",
        "HANDLER" /* Opera SVG, effectively a script tag */, "IFRAME", "IMPORT", "ISINDEX", "LINK", "LISTENER",
        "META", "NOSCRIPT", "OBJECT", "SCRIPT", "STYLE", "VMLFRAME", "XML", "XSS",
    };

    /** An attribute compared whole, and what its value means. */
    private record Attribute(String name, XssAttributeType type) {}

    private static final Attribute[] ATTRIBUTES = {
        new Attribute("ACTION", XssAttributeType.URL), // form
        new Attribute("ATTRIBUTENAME", XssAttributeType.INDIRECT), // SVG: names the animated attribute
        new Attribute("BY", XssAttributeType.URL), // SVG
        new Attribute("BACKGROUND", XssAttributeType.URL), // IE6, O11
        new Attribute("DATAFORMATAS", XssAttributeType.BLACK), // IE
        new Attribute("DATASRC", XssAttributeType.BLACK), // IE
        new Attribute("DYNSRC", XssAttributeType.URL), // obsolete img attribute
        new Attribute("FILTER", XssAttributeType.STYLE), // Opera, SVG inline style
        new Attribute("FORMACTION", XssAttributeType.URL), // HTML 5
        new Attribute("FOLDER", XssAttributeType.URL), // IE only, on a tags
        new Attribute("FROM", XssAttributeType.URL), // SVG
        new Attribute("HANDLER", XssAttributeType.URL), // SVG Tiny, Opera
        new Attribute("HREF", XssAttributeType.URL),
        new Attribute("LOWSRC", XssAttributeType.URL), // obsolete img attribute
        new Attribute("POSTER", XssAttributeType.URL), // Opera 10, 11
        new Attribute("SRC", XssAttributeType.URL),
        new Attribute("STYLE", XssAttributeType.STYLE),
        new Attribute("TO", XssAttributeType.URL), // SVG
        new Attribute("VALUES", XssAttributeType.URL), // SVG
        // never reached, xlink* is black whatever follows; kept as libinjection has it
        new Attribute("XLINK:HREF", XssAttributeType.URL),
    };

    /**
     * DOM event names (WebKit, Blink and Gecko event lists, as in libinjection's current {@code BLACKATTREVENT}): an
     * attribute {@code on<name>...} is an event handler when what follows "on" starts with one of these.
     */
    private static final String[] EVENTS = {
        "ABORT", "ACCESSKEYNOTFOUND", "ACTIVATE", "ACTIVE", "ADDSOURCEBUFFER", "ADDSTREAM", "ADDTRACK", "AFTERPAINT",
        "AFTERPRINT", "AFTERSCRIPTEXECUTE", "ANIMATIONCANCEL", "ANIMATIONEND", "ANIMATIONITERATION", "ANIMATIONSTART",
        "AUDIOEND", "AUDIOCOMPLETE", "AUDIOPROCESS", "AUDIOSTART", "AUTOCOMPLETE", "AUTOCOMPLETEERROR", "AUXCLICK",
        "BACKGROUNDFETCHABORT", "BACKGROUNDFETCHCLICK", "BACKGROUNDFETCHFAIL", "BACKGROUNDFETCHSUCCESS",
        "BEFOREACTIVATE", "BEFORECOPY", "BEFORECUT", "BEFOREINPUT", "BEFORELOAD", "BEFOREMATCH", "BEFOREPASTE",
        "BEFOREPRINT", "BEFORESCRIPTEXECUTE", "BEFORETOGGLE", "BEFOREUNLOAD", "BEGINEVENT", "BLOCKED", "BLUR",
        "BOUNDARY", "BUFFEREDAMOUNTLOW", "BUFFEREDCHANGE",
        "CACHED", "CANCEL", "CANPLAY", "CANPLAYTHROUGH", "CHANGE", "CHARGINGCHANGE", "CHARGINGTIMECHANGE",
        "CHECKING", "CLICK", "CLOSE", "CLOSING", "COMPLETE", "COMPOSITIONEND", "COMPOSITIONSTART",
        "COMPOSITIONCHANGE", "COMPOSITIONUPDATE", "COMMAND", "CONFIGURATIONCHANGE", "CONNECT", "CONNECTING",
        "CONNECTIONSTATECHANGE", "CONTENTVISIBILITYAUTOSTATECHANGE", "CONTEXTLOST", "CONTEXTMENU", "CONTEXTRESTORED",
        "CONTROLLERCHANGE", "COOKIECHANGE", "COORDINATORSTATECHANGE", "COPY", "COUPONCODECHANGED", "CUECHANGE",
        "CURRENTENTRYCHANGE", "CUT",
        "DATAAVAILABLE", "DATACHANNEL", "DBLCLICK", "DEQUEUE", "DEVICECHANGE", "DEVICELIGHT", "DEVICEMOTION",
        "DEVICEORIENTATION", "DEVICEORIENTATIONABSOLUTE", "DISCHARGINGTIMECHANGE", "DISCONNECT", "DISPOSE",
        "DOMACTIVATE", "DOMCHARACTERDATAMODIFIED", "DOMCONTENTLOADED", "DOMNODEINSERTED",
        "DOMNODEINSERTEDINTODOCUMENT", "DOMNODEREMOVED", "DOMNODEREMOVEDFROMDOCUMENT", "DOMSUBTREEMODIFIED",
        "DOWNLOADING", "DRAG", "DRAGEND", "DRAGENTER", "DRAGLEAVE", "DRAGEXIT", "DRAGOVER", "DRAGSTART", "DROP",
        "DURATIONCHANGE",
        "EMPTIED", "ENCRYPTED", "EDGEUICANCELED", "EDGEUICOMPLETED", "EDGEUISTARTED", "EDITORBEFOREINPUT",
        "EDITORINPUT", "END", "ENDED", "ENDEVENT", "ENDSTREAMING", "ENTER", "ENTERPICTUREINPICTURE", "ERROR", "EXIT",
        "FENCEDTREECLICK", "FETCH", "FINISH", "FOCUS", "FOCUSIN", "FOCUSOUT", "FORMCHANGE", "FORMCHECKBOXSTATECHANGE",
        "FORMDATA", "FORMINVALID", "FORMRADIOSTATECHANGE", "FORMRESET", "FORMSELECT", "FORMSUBMIT",
        "FULLSCREENCHANGE", "FULLSCREENERROR",
        "GAMEPADAXISMOVE", "GAMEPADBUTTONDOWN", "GAMEPADBUTTONUP", "GAMEPADCONNECTED", "GAMEPADDISCONNECTED",
        "GATHERINGSTATECHANGE", "GESTURECHANGE", "GESTUREEND", "GESTURESCROLLEND", "GESTURESCROLLSTART",
        "GESTURESCROLLUPDATE", "GESTURESTART", "GESTURETAP", "GESTURETAPDOWN", "GOTPOINTERCAPTURE",
        "HASHCHANGE",
        "ICECANDIDATE", "ICECANDIDATEERROR", "ICECONNECTIONSTATECHANGE", "ICEGATHERINGSTATECHANGE", "IMAGEABORT",
        "INACTIVE", "INPUT", "INPUTSOURCESCHANGE", "INSTALL", "INVALID", "INVOKE",
        "KEYDOWN", "KEYPRESS", "KEYSTATUSESCHANGE", "KEYUP",
        "LANGUAGECHANGE", "LEAVEPICTUREINPICTURE", "LEGACYATTRMODIFIED", "LEGACYCHARACTERDATAMODIFIED",
        "LEGACYDOMACTIVATE", "LEGACYDOMFOCUSIN", "LEGACYDOMFOCUSOUT", "LEGACYMOUSELINEORPAGESCROLL",
        "LEGACYMOUSEPIXELSCROLL", "LEGACYNODEINSERTED", "LEGACYNODEINSERTEDINTODOCUMENT", "LEGACYNODEREMOVED",
        "LEGACYNODEREMOVEDFROMDOCUMENT", "LEGACYSUBTREEMODIFIED", "LEGACYTEXTINPUT", "LEVELCHANGE", "LOAD",
        "LOADEDDATA", "LOADEDMETADATA", "LOADEND", "LOADING", "LOADINGDONE", "LOADINGERROR", "LOADSTART",
        "LOSTPOINTERCAPTURE",
        "MAGNIFYGESTURE", "MAGNIFYGESTURESTART", "MAGNIFYGESTUREUPDATE", "MARK", "MEDIARECORDERDATAAVAILABLE",
        "MEDIARECORDERSTOP", "MEDIARECORDERWARNING", "MERCHANTVALIDATION", "MESSAGE", "MESSAGEERROR",
        "MOUSEDOUBLECLICK", "MOUSEDOWN", "MOUSEENTER", "MOUSEEXPLOREBYTOUCH", "MOUSEHITTEST", "MOUSELEAVE",
        "MOUSELONGTAP", "MOUSEMOVE", "MOUSEOUT", "MOUSEOVER", "MOUSEUP", "MOUSEWHEEL", "MOZFULLSCREENCHANGE",
        "MOZFULLSCREENERROR", "MOZPOINTERLOCKCHANGE", "MOZPOINTERLOCKERROR", "MOZVISUALRESIZE", "MOZVISUALSCROLL",
        "MUTE",
        "NAVIGATE", "NAVIGATEERROR", "NAVIGATESUCCESS", "NEGOTIATIONNEEDED", "NEXTTRACK", "NOMATCH",
        "NOTIFICATIONCLICK", "NOTIFICATIONCLOSE", "NOUPDATE",
        "OBSOLETE", "OFFLINE", "ONLINE", "OPEN", "ORIENTATIONCHANGE", "OVERFLOWCHANGED", "OVERSCROLL",
        "PAGEHIDE", "PAGEREVEAL", "PAGESHOW", "PAGESWAP", "PASTE", "PAUSE", "PAYERDETAILCHANGE", "PAYMENTAUTHORIZED",
        "PAYMENTMETHODCHANGE", "PAYMENTMETHODSELECTED", "PLAY", "PLAYING", "POINTERAUXCLICK", "POINTERCANCEL",
        "POINTERCLICK", "POINTERDOWN", "POINTERENTER", "POINTERGOTCAPTURE", "POINTERLEAVE", "POINTERLOCKCHANGE",
        "POINTERLOCKERROR", "POINTERLOSTCAPTURE", "POINTERMOVE", "POINTEROUT", "POINTEROVER", "POINTERRAWUPDATE",
        "POINTERUP", "POPSTATE", "PRESSTAPGESTURE", "PREVIOUSTRACK", "PROPERTYCHANGE", "PROCESSORERROR", "PROGRESS",
        "PUSH", "PUSHNOTIFICATION", "PUSHSUBSCRIPTIONCHANGE",
        "QUALITYCHANGE",
        "RATECHANGE", "READYSTATECHANGE", "REDRAW", "REJECTIONHANDLED", "RELEASE", "REMOVE", "REMOVESOURCEBUFFER",
        "REMOVESTREAM", "REMOVETRACK", "REPEAT", "REPEATEVENT", "RESET", "RESIZE", "RESOURCETIMINGBUFFERFULL",
        "RESULT", "RESUME", "ROTATEGESTURE", "ROTATEGESTURESTART", "ROTATEGESTUREUPDATE", "RTCTRANSFORM",
        "SCROLL", "SCROLLEDAREACHANGED", "SCROLLEND", "SCROLLPORTOVERFLOW", "SCROLLPORTUNDERFLOW", "SCROLLSNAPCHANGE",
        "SCROLLSNAPCHANGING", "SEARCH", "SECURITYPOLICYVIOLATION", "SEEKED", "SEEKING", "SELECT",
        "SELECTEDCANDIDATEPAIRCHANGE", "SELECTEND", "SELECTIONCHANGE", "SELECTSTART", "SHIPPINGADDRESSCHANGE",
        "SHIPPINGCONTACTSELECTED", "SHIPPINGMETHODSELECTED", "SHIPPINGOPTIONCHANGE", "SHOW", "SIGNALINGSTATECHANGE",
        "SLOTCHANGE", "SMILBEGINEVENT", "SMILENDEVENT", "SMILREPEATEVENT", "SORT", "SOUNDEND", "SOUNDSTART",
        "SOURCECLOSE", "SOURCEENDED", "SOURCEOPEN", "SPEECHEND", "SPEECHSTART", "SQUEEZE", "SQUEEZEEND",
        "SQUEEZESTART", "STALLED", "START", "STARTED", "STARTSTREAMING", "STATECHANGE", "STOP", "STORAGE", "SUBMIT",
        "SVGLOAD", "SVGSCROLL", "SWIPEGESTURE", "SWIPEGESTUREEND", "SWIPEGESTUREMAYSTART", "SWIPEGESTURESTART",
        "SWIPEGESTUREUPDATE", "SUCCESS", "SUSPEND",
        "TAPGESTURE", "TEXTINPUT", "TIMEOUT", "TIMEUPDATE", "TOGGLE", "TONECHANGE", "TOUCHCANCEL", "TOUCHEND",
        "TOUCHFORCECHANGE", "TOUCHMOVE", "TOUCHSTART", "TRACK", "TRANSITIONCANCEL", "TRANSITIONEND", "TRANSITIONRUN",
        "TRANSITIONSTART",
        "UNCAPTUREDERROR", "UNHANDLEDREJECTION", "UNIDENTIFIEDEVENT", "UNLOAD", "UNMUTE", "USERPROXIMITY", "UPDATE",
        "UPDATEEND", "UPDATEFOUND", "UPDATEREADY", "UPDATESTART", "UPGRADENEEDED",
        "VALIDATEMERCHANT", "VERSIONCHANGE", "VISIBILITYCHANGE", "VOICESCHANGED", "VOLUMECHANGE",
        "VRDISPLAYACTIVATE", "VRDISPLAYCONNECT", "VRDISPLAYDEACTIVATE", "VRDISPLAYDISCONNECT",
        "VRDISPLAYPRESENTCHANGE",
        "WAITING", "WAITINGFORKEY", "WEBGLCONTEXTCREATIONERROR", "WEBGLCONTEXTLOST", "WEBGLCONTEXTRESTORED",
        "WEBKITANIMATIONEND", "WEBKITANIMATIONITERATION", "WEBKITANIMATIONSTART", "WEBKITASSOCIATEFORMCONTROLS",
        "WEBKITAUTOFILLREQUEST", "WEBKITBEFORETEXTINSERTED", "WEBKITBEGINFULLSCREEN",
        "WEBKITCURRENTPLAYBACKTARGETISWIRELESSCHANGED", "WEBKITENDFULLSCREEN", "WEBKITFULLSCREENCHANGE",
        "WEBKITFULLSCREENERROR", "WEBKITKEYADDED", "WEBKITKEYERROR", "WEBKITKEYMESSAGE",
        "WEBKITMEDIASESSIONMETADATACHANGED", "WEBKITMOUSEFORCECHANGED", "WEBKITMOUSEFORCEDOWN", "WEBKITMOUSEFORCEUP",
        "WEBKITMOUSEFORCEWILLBEGIN", "WEBKITNEEDKEY", "WEBKITNETWORKINFOCHANGE",
        "WEBKITPLAYBACKTARGETAVAILABILITYCHANGED", "WEBKITPRESENTATIONMODECHANGED", "WEBKITREMOVESOURCEBUFFER",
        "WEBKITSHADOWROOTATTACHED", "WEBKITSOURCECLOSE", "WEBKITSOURCEENDED", "WEBKITSOURCEOPEN",
        "WEBKITTRANSITIONEND", "WHEEL", "WRITE", "WRITEEND", "WRITESTART",
        "XULBROADCAST", "XULCOMMANDUPDATE", "XULPOPUPHIDDEN", "XULPOPUPHIDING", "XULPOPUPSHOWING", "XULPOPUPSHOWN",
        "XULSYSTEMSTATUSBARCLICK",
        "ZOOM",
    };

    /** {@link #EVENTS} by initial letter ('A'..'Z'), so a handler name is compared with a few candidates only. */
    private static final String[][] EVENTS_BY_INITIAL = byInitial(EVENTS);

    /** Bit i set: some tag, resp. attribute, of the table starts with letter 'A' + i. Most names are let go on that. */
    private static final int TAG_INITIALS = initials(TAGS);
    private static final int ATTRIBUTE_INITIALS;

    static {
        String[] names = new String[ATTRIBUTES.length];
        for (int i = 0; i < names.length; i++) {
            names[i] = ATTRIBUTES[i].name();
        }
        ATTRIBUTE_INITIALS = initials(names);
    }

    private XssBlacklist() {}

    /** libinjection's {@code is_black_tag} on {@code s[start, start + length)}, a tag name. */
    static boolean isBlackTag(String s, int start, int length) {
        if (length < 3) {
            return false;
        }
        if (mayStartWith(TAG_INITIALS, s, start, length)) {
            for (String tag : TAGS) {
                if (equalsIgnoringNulls(tag, s, start, length)) {
                    return true;
                }
            }
        }
        // anything SVG or XSL(T) related; here NULs are not skipped
        char c0 = (char) (s.charAt(start) | 0x20);
        char c1 = (char) (s.charAt(start + 1) | 0x20);
        char c2 = (char) (s.charAt(start + 2) | 0x20);
        return (c0 == 's' && c1 == 'v' && c2 == 'g') || (c0 == 'x' && c1 == 's' && c2 == 'l');
    }

    /** libinjection's {@code is_black_attr} on {@code s[start, start + length)}, an attribute name (or a value). */
    static XssAttributeType attributeType(String s, int start, int length) {
        if (length < 2) {
            return XssAttributeType.NONE;
        }
        if (length >= 5) {
            if ((s.charAt(start) | 0x20) == 'o' && (s.charAt(start + 1) | 0x20) == 'n'
                    && isEventName(s, start + 2, length - 2)) {
                return XssAttributeType.BLACK;
            }
            // xmlns* and xlink* can create arbitrary tags: only the first five chars count
            if (equalsIgnoringNulls("XMLNS", s, start, 5) || equalsIgnoringNulls("XLINK", s, start, 5)) {
                return XssAttributeType.BLACK;
            }
        }
        if (mayStartWith(ATTRIBUTE_INITIALS, s, start, length)) {
            for (Attribute attribute : ATTRIBUTES) {
                if (equalsIgnoringNulls(attribute.name(), s, start, length)) {
                    return attribute.type();
                }
            }
        }
        return XssAttributeType.NONE;
    }

    /** Whether {@code s[start, start + length)} starts with an event name ({@code load} in {@code onloadxyz}). */
    private static boolean isEventName(String s, int start, int length) {
        int initial = (s.charAt(start) | 0x20) - 'a';
        if (initial < 0 || initial >= 26) {
            return false;
        }
        for (String event : EVENTS_BY_INITIAL[initial]) {
            if (startsWithIgnoringCase(event, s, start, length)) {
                return true;
            }
        }
        return false;
    }

    /**
     * Whether {@code s[start, start + length)} starts with {@code upperName}, ASCII case-insensitive. A NUL in that
     * prefix is no match (libinjection skips it but then falls one char short of the name).
     */
    private static boolean startsWithIgnoringCase(String upperName, String s, int start, int length) {
        int n = upperName.length();
        if (length < n) {
            return false;
        }
        for (int i = 0; i < n; i++) {
            if (toUpperAscii(s.charAt(start + i)) != upperName.charAt(i)) {
                return false;
            }
        }
        return true;
    }

    /**
     * libinjection's {@code cstrcasecmp_with_null(upperName, s + start, length) == 0}: {@code s[start, start +
     * length)} without its NULs spells exactly {@code upperName}, ASCII case-insensitive.
     */
    static boolean equalsIgnoringNulls(String upperName, String s, int start, int length) {
        int n = upperName.length();
        int matched = 0;
        for (int i = start, end = start + length; i < end; i++) {
            char c = s.charAt(i);
            if (c == 0) {
                continue;
            }
            if (matched == n || toUpperAscii(c) != upperName.charAt(matched)) {
                return false;
            }
            matched++;
        }
        return matched == n;
    }

    /** Whether the first char of {@code s[start, start + length)} that is not NUL is a letter in {@code initials}. */
    private static boolean mayStartWith(int initials, String s, int start, int length) {
        for (int i = start, end = start + length; i < end; i++) {
            char c = s.charAt(i);
            if (c != 0) {
                int letter = (c | 0x20) - 'a';
                return letter >= 0 && letter < 26 && (initials & (1 << letter)) != 0;
            }
        }
        return false;
    }

    private static char toUpperAscii(char c) {
        return c >= 'a' && c <= 'z' ? (char) (c - 0x20) : c;
    }

    private static int initials(String[] names) {
        int initials = 0;
        for (String name : names) {
            initials |= 1 << (name.charAt(0) - 'A');
        }
        return initials;
    }

    private static String[][] byInitial(String[] names) {
        int[] counts = new int[26];
        for (String name : names) {
            counts[name.charAt(0) - 'A']++;
        }
        String[][] buckets = new String[26][];
        for (int i = 0; i < 26; i++) {
            buckets[i] = new String[counts[i]];
        }
        int[] filled = new int[26];
        for (String name : names) {
            int i = name.charAt(0) - 'A';
            buckets[i][filled[i]++] = name;
        }
        return buckets;
    }
}
