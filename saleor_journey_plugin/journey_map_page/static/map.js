/* The journey map page: signs staff in, asks the channel's journey endpoint for
 * journeyReport and draws it. No store data is in the page itself and nothing
 * is fetched from anywhere but the two endpoints named on <body>. */
(function () {
  "use strict";

  var body = document.body;
  var CONFIG = {
    channel: body.dataset.channel,
    api: body.dataset.apiUrl,
    signin: body.dataset.signinUrl,
  };
  var TOKEN_KEY = "journeyMap.token";
  var PREFS_KEY = "journeyMap.prefs." + CONFIG.channel;
  var SVG = "http://www.w3.org/2000/svg";
  var MAX_DAYS = 1096;

  // ---------------------------------------------------------------- texts --
  var TEXT = {
    en: {
      title: "Customer journey map",
      last7: "7 days", last30: "30 days", last90: "90 days", custom: "Custom",
      from: "From", to: "To", apply: "Apply", signOut: "Sign out",
      signInTitle: "Sign in with your staff account",
      signInHelp: "Use the email and password you use for the Saleor dashboard. You need the MANAGE_ORDERS permission to see store reports.",
      email: "Email", password: "Password", signIn: "Sign in", signingIn: "Signing in…",
      pasteToken: "Or paste an access token", token: "Access token", useToken: "Use this token",
      loading: "Loading the report…",
      funnelTitle: "Funnel", cohortTitle: "Cohort retention",
      cohortHelp: "Share of each month's first-time buyers who ordered again, month by month.",
      mapTitle: "Journey map",
      mapHelp: "What customers did at each stage of their journey in this period.",
      footer: "Figures from the journey plugin's own records, in the channel's time zone:",
      periodSummary: function (a, b, n) { return a + " – " + b + " · " + n + (n === 1 ? " day" : " days"); },
      previousSummary: function (a, b) { return "compared with " + a + " – " + b; },
      conversion: "Conversion", abandonment: "Cart abandonment", aov: "Average order value",
      returning: "Returning customers", csat: "Customer satisfaction",
      conversionSub: function (k) { return fmtInt(k.buyers) + " buyers of " + fmtInt(k.activeCustomers) + " active customers"; },
      abandonmentSub: function (k) { return fmtInt(k.checkoutsStarted - k.checkoutsConverted) + " of " + fmtInt(k.checkoutsStarted) + " checkouts not completed"; },
      aovSub: function (k) { return fmtInt(k.orders) + (k.orders === 1 ? " order" : " orders"); },
      returningSub: function (k) { return "of " + fmtInt(k.buyers) + (k.buyers === 1 ? " buyer" : " buyers"); },
      csatSub: function (k) { return "rated 4 or 5, of " + fmtInt(k.reviews) + (k.reviews === 1 ? " review" : " reviews"); },
      previous: "prev.", noValue: "No data", pts: "pts",
      revenue: "Revenue", orders: "Orders", active: "Active customers", lapsed: "At risk", winBacks: "Won back",
      entered: function (n) { return fmtInt(n) + (n === 1 ? " customer" : " customers") + " entered the funnel"; },
      ofPrevious: function (p) { return p + " of previous"; }, droppedOff: "dropped off",
      funnelEmpty: "No customer started a journey in this period.",
      cohortEmpty: "No first orders in this period. Cohorts appear once new customers buy.",
      cohortMonth: "First order", cohortCustomers: "Buyers", monthN: function (k) { return "M" + k; },
      mapEmpty: "No touchpoints in this period. Once customers visit, check out or order, each stage fills in here.",
      before: "Before the journey",
      reached: "Reached", dropOff: "Drop-off", timeInStage: "Time in stage (median)",
      touchpoints: "Touchpoints", byType: "What they did", byChannel: "Touch channels",
      painPoints: "Pain points", emotion: "Emotion", utm: "Top UTM sources",
      none: "None", noPain: "No pain points", noEmotion: "No reviews or pain points", noUtm: "No tagged traffic",
      positive: "Positive", neutral: "Neutral", negative: "Negative",
      notInFunnel: "Not a funnel stage",
      badRange: "Choose a start date on or before the end date.",
      longRange: "A period can be at most 1096 days long.",
      permission: "This account cannot see store reports: it needs the MANAGE_ORDERS permission. Sign in with a staff account that has it.",
      expired: "Your session has expired. Please sign in again.",
      badLogin: "Sign-in failed.",
      network: "The journey API could not be reached. Check your connection and try again.",
      failed: "The report could not be loaded: ",
      notStaff: "Signed in, but this account has no staff access to the journey reports.",
      units: { d: "d", h: "h", m: "m", s: "s", lessMinute: "< 1m" },
    },
    ko: {
      title: "고객 여정 지도",
      last7: "7일", last30: "30일", last90: "90일", custom: "직접 선택",
      from: "시작", to: "종료", apply: "적용", signOut: "로그아웃",
      signInTitle: "스태프 계정으로 로그인",
      signInHelp: "Saleor 대시보드에서 쓰는 이메일과 비밀번호를 입력하세요. 스토어 리포트를 보려면 MANAGE_ORDERS 권한이 필요합니다.",
      email: "이메일", password: "비밀번호", signIn: "로그인", signingIn: "로그인 중…",
      pasteToken: "또는 액세스 토큰 붙여넣기", token: "액세스 토큰", useToken: "이 토큰 사용",
      loading: "리포트를 불러오는 중…",
      funnelTitle: "퍼널", cohortTitle: "코호트 리텐션",
      cohortHelp: "월별 첫 구매 고객 중 이후 달에 다시 주문한 비율입니다.",
      mapTitle: "고객 여정 지도",
      mapHelp: "이 기간 동안 고객이 여정의 각 단계에서 한 일입니다.",
      footer: "여정 플러그인 자체 기록 기준, 채널 시간대로 집계했습니다. 시간대:",
      periodSummary: function (a, b, n) { return a + " – " + b + " · " + n + "일"; },
      previousSummary: function (a, b) { return "비교 기간 " + a + " – " + b; },
      conversion: "전환율", abandonment: "장바구니 이탈률", aov: "평균 주문 금액",
      returning: "재구매 고객", csat: "고객 만족도",
      conversionSub: function (k) { return "활성 고객 " + fmtInt(k.activeCustomers) + "명 중 구매 " + fmtInt(k.buyers) + "명"; },
      abandonmentSub: function (k) { return "체크아웃 " + fmtInt(k.checkoutsStarted) + "건 중 " + fmtInt(k.checkoutsStarted - k.checkoutsConverted) + "건 미완료"; },
      aovSub: function (k) { return "주문 " + fmtInt(k.orders) + "건"; },
      returningSub: function (k) { return "구매 고객 " + fmtInt(k.buyers) + "명 기준"; },
      csatSub: function (k) { return "리뷰 " + fmtInt(k.reviews) + "건 중 4~5점"; },
      previous: "이전", noValue: "데이터 없음", pts: "%p",
      revenue: "매출", orders: "주문", active: "활성 고객", lapsed: "이탈 위험", winBacks: "재활성",
      entered: function (n) { return fmtInt(n) + "명이 퍼널에 진입"; },
      ofPrevious: function (p) { return "이전 단계 대비 " + p; }, droppedOff: "이탈",
      funnelEmpty: "이 기간에 여정을 시작한 고객이 없습니다.",
      cohortEmpty: "이 기간에 첫 주문이 없습니다. 신규 고객이 구매하면 코호트가 나타납니다.",
      cohortMonth: "첫 주문", cohortCustomers: "구매 고객", monthN: function (k) { return k + "개월"; },
      mapEmpty: "이 기간에 접점이 없습니다. 고객이 방문하거나 체크아웃, 주문을 하면 각 단계가 채워집니다.",
      before: "여정 시작 전",
      reached: "도달", dropOff: "이탈", timeInStage: "단계 체류 시간 (중앙값)",
      touchpoints: "접점", byType: "고객 행동", byChannel: "접점 채널",
      painPoints: "불편 사항", emotion: "감정", utm: "주요 UTM 소스",
      none: "없음", noPain: "불편 사항 없음", noEmotion: "리뷰나 불편 사항 없음", noUtm: "태그된 유입 없음",
      positive: "긍정", neutral: "중립", negative: "부정",
      notInFunnel: "퍼널 밖 단계",
      badRange: "시작일은 종료일과 같거나 그 이전이어야 합니다.",
      longRange: "기간은 최대 1096일까지 선택할 수 있습니다.",
      permission: "이 계정은 스토어 리포트를 볼 수 없습니다. MANAGE_ORDERS 권한이 있는 스태프 계정으로 로그인하세요.",
      expired: "세션이 만료되었습니다. 다시 로그인하세요.",
      badLogin: "로그인하지 못했습니다.",
      network: "여정 API에 연결할 수 없습니다. 연결을 확인한 뒤 다시 시도하세요.",
      failed: "리포트를 불러오지 못했습니다: ",
      notStaff: "로그인했지만 이 계정에는 여정 리포트에 대한 스태프 권한이 없습니다.",
      units: { d: "일", h: "시간", m: "분", s: "초", lessMinute: "1분 미만" },
    },
  };

  var EVENT_NAMES = {
    en: {
      VISIT: "Visit", ACCOUNT_CREATED: "Account created", NEWSLETTER_OPT_IN: "Newsletter opt-in",
      NEWSLETTER_OPT_IN_REQUESTED: "Opt-in requested", PRODUCT_VIEWED: "Product viewed",
      CHECKOUT_STARTED: "Checkout started", CHECKOUT_DETAILS_ADDED: "Checkout details",
      DELIVERY_METHOD_CHOSEN: "Delivery chosen", CHECKOUT_PAID: "Checkout paid",
      CHECKOUT_ABANDONED: "Abandoned checkout", ORDER_PLACED: "Order placed", ORDER_PAID: "Order paid",
      ORDER_FULFILLED: "Order fulfilled", ORDER_CANCELLED: "Order cancelled", ORDER_REFUNDED: "Order refunded",
      REVIEW_SUBMITTED: "Review", REVIEW_EDITED: "Review edited", UNSUBSCRIBED: "Unsubscribed",
      LAPSE_DETECTED: "Lapsed", CUSTOMER_DELETED: "Customer deleted",
      EMAIL_SENT: "Campaign email", EMAIL_CLICKED: "Email clicked",
    },
    ko: {
      VISIT: "방문", ACCOUNT_CREATED: "회원 가입", NEWSLETTER_OPT_IN: "뉴스레터 구독",
      NEWSLETTER_OPT_IN_REQUESTED: "구독 요청", PRODUCT_VIEWED: "상품 조회",
      CHECKOUT_STARTED: "체크아웃 시작", CHECKOUT_DETAILS_ADDED: "배송 정보 입력",
      DELIVERY_METHOD_CHOSEN: "배송 방법 선택", CHECKOUT_PAID: "결제 완료",
      CHECKOUT_ABANDONED: "장바구니 이탈", ORDER_PLACED: "주문", ORDER_PAID: "주문 결제",
      ORDER_FULFILLED: "주문 배송", ORDER_CANCELLED: "주문 취소", ORDER_REFUNDED: "주문 환불",
      REVIEW_SUBMITTED: "리뷰", REVIEW_EDITED: "리뷰 수정", UNSUBSCRIBED: "구독 해지",
      LAPSE_DETECTED: "이탈 위험 전환", CUSTOMER_DELETED: "고객 삭제",
      EMAIL_SENT: "캠페인 이메일", EMAIL_CLICKED: "이메일 클릭",
    },
  };
  var PAIN_NAMES = {
    en: { REVIEW_SUBMITTED: "Review rated 1–2", REVIEW_EDITED: "Review edited to 1–2" },
    ko: { REVIEW_SUBMITTED: "1~2점 리뷰", REVIEW_EDITED: "1~2점으로 수정된 리뷰" },
  };
  var TOUCH_NAMES = {
    en: { WEB: "Web", APP: "App", EMAIL: "Email", OFFLINE: "Offline", API: "Automatic" },
    ko: { WEB: "웹", APP: "앱", EMAIL: "이메일", OFFLINE: "오프라인", API: "자동" },
  };

  // ---------------------------------------------------------------- state --
  var prefs = readPrefs();
  var state = {
    period: prefs.period || "30",
    customFrom: prefs.customFrom || "",
    customTo: prefs.customTo || "",
    language: prefs.language || null, // null: the channel's own language
    timeZone: prefs.timeZone || null,
    report: null,
    previous: null,
    dates: null,
    request: 0,
  };

  function readPrefs() {
    var saved;
    try {
      saved = JSON.parse(sessionStorage.getItem(PREFS_KEY) || "{}") || {};
    } catch (e) {
      saved = {};
    }
    // A link may name the days to show (?from=2026-07-30&to=2026-08-28, both
    // included): it wins over what this tab chose before.
    var query = new URLSearchParams(window.location.search);
    var day = /^\d{4}-\d{2}-\d{2}$/;
    if (day.test(query.get("from") || "") && day.test(query.get("to") || "")) {
      saved.period = "custom";
      saved.customFrom = query.get("from");
      saved.customTo = query.get("to");
    }
    return saved;
  }
  function savePrefs() {
    sessionStorage.setItem(PREFS_KEY, JSON.stringify({
      period: state.period, customFrom: state.customFrom, customTo: state.customTo,
      language: state.language, timeZone: state.timeZone,
    }));
  }
  function uiLang() {
    if (state.language) return state.language.toLowerCase();
    if (state.report) return state.report.language.toLowerCase();
    var html = (navigator.language || "en").slice(0, 2);
    return html === "ko" ? "ko" : "en";
  }
  function t(key) {
    var lang = uiLang();
    return key in TEXT[lang] ? TEXT[lang][key] : TEXT.en[key];
  }

  // ------------------------------------------------------------- elements --
  function $(id) { return document.getElementById(id); }
  function el(tag, attrs, children) {
    var node = document.createElement(tag);
    setAttrs(node, attrs);
    append(node, children);
    return node;
  }
  function svg(tag, attrs, children) {
    var node = document.createElementNS(SVG, tag);
    setAttrs(node, attrs);
    append(node, children);
    return node;
  }
  function setAttrs(node, attrs) {
    if (!attrs) return;
    Object.keys(attrs).forEach(function (name) {
      var value = attrs[name];
      if (value === null || value === undefined || value === false) return;
      if (name === "text") node.textContent = value;
      else if (name === "className" && !(node instanceof SVGElement)) node.className = value;
      else if (name === "className") node.setAttribute("class", value);
      else node.setAttribute(name, value === true ? "" : String(value));
    });
  }
  function append(node, children) {
    if (children === null || children === undefined) return;
    if (!Array.isArray(children)) children = [children];
    children.forEach(function (child) {
      if (child === null || child === undefined || child === false) return;
      node.appendChild(typeof child === "string" ? document.createTextNode(child) : child);
    });
  }
  function clear(node) { while (node.firstChild) node.removeChild(node.firstChild); }
  function show(node, visible) { node.hidden = !visible; }

  // -------------------------------------------------------------- numbers --
  // Decimals arrive as exact strings; they are rounded here, half up, digit by
  // digit, so the page shows exactly what the rounded value is.
  function plainDecimal(text) {
    var s = String(text).trim();
    var negative = s.charAt(0) === "-";
    if (negative || s.charAt(0) === "+") s = s.slice(1);
    var exponent = 0;
    var e = s.search(/[eE]/);
    if (e >= 0) { exponent = parseInt(s.slice(e + 1), 10); s = s.slice(0, e); }
    var dot = s.indexOf(".");
    var digits = dot >= 0 ? s.slice(0, dot) + s.slice(dot + 1) : s;
    var point = (dot >= 0 ? dot : s.length) + exponent;
    if (point <= 0) { digits = "0".repeat(1 - point) + digits; point = 1; }
    if (point > digits.length) digits = digits + "0".repeat(point - digits.length);
    return { negative: negative, int: digits.slice(0, point), frac: digits.slice(point) };
  }
  function roundParts(parts, places) {
    var frac = (parts.frac + "0".repeat(places + 1)).slice(0, places + 1);
    var digits = (parts.int + frac.slice(0, places)).split("").map(Number);
    if (Number(frac.charAt(places)) >= 5) {
      var i = digits.length - 1;
      while (i >= 0) {
        if (digits[i] === 9) { digits[i] = 0; i--; } else { digits[i]++; break; }
      }
      if (i < 0) digits.unshift(1);
    }
    var all = digits.join("");
    var intPart = all.slice(0, all.length - places).replace(/^0+(?=\d)/, "") || "0";
    var fracPart = places ? all.slice(all.length - places) : "";
    var zero = /^0*$/.test(intPart + fracPart);
    return { negative: parts.negative && !zero, int: intPart, frac: fracPart };
  }
  function group(intDigits) { return intDigits.replace(/\B(?=(\d{3})+(?!\d))/g, ","); }
  // A rate (0.2105…) as "21.1%": one decimal place, ".0" left off.
  function fmtPercent(text) {
    if (text === null || text === undefined) return null;
    var p = plainDecimal(text);
    var frac = p.frac + "00";
    var shifted = { negative: p.negative, int: (p.int + frac.slice(0, 2)).replace(/^0+(?=\d)/, ""), frac: frac.slice(2) };
    var r = roundParts(shifted, 1);
    var out = group(r.int) + (r.frac === "0" ? "" : "." + r.frac);
    return (r.negative ? "-" : "") + out + "%";
  }
  function fmtInt(n) { return group(String(Math.trunc(n))); }
  function fmtMoney(money) {
    if (!money) return null;
    var p = plainDecimal(money.amount);
    var places = p.frac.length;
    var r = roundParts(p, places);
    var number = group(r.int) + (places ? "." + r.frac : "");
    var symbol = currencySymbol(money.currency);
    return (r.negative ? "-" : "") + symbol + number;
  }
  function currencySymbol(code) {
    var known = { USD: "$", EUR: "€", GBP: "£", KRW: "₩", JPY: "¥" };
    return known[code] || code + " ";
  }
  function fmtDuration(seconds) {
    if (seconds === null || seconds === undefined) return null;
    var u = t("units");
    var sep = " ";
    var s = Math.round(seconds);
    if (s < 60) return u.lessMinute;
    var d = Math.floor(s / 86400), h = Math.floor((s % 86400) / 3600), m = Math.floor((s % 3600) / 60);
    if (d >= 1) return d + u.d + (h ? sep + h + u.h : "");
    if (h >= 1) return h + u.h + (m ? sep + m + u.m : "");
    return m + u.m;
  }
  function ratio(a, b) { return b > 0 ? a / b : 0; }

  // ---------------------------------------------------------------- dates --
  function todayIn(timeZone) {
    try {
      return new Intl.DateTimeFormat("en-CA", {
        timeZone: timeZone || undefined, year: "numeric", month: "2-digit", day: "2-digit",
      }).format(new Date());
    } catch (e) {
      return new Intl.DateTimeFormat("en-CA", { year: "numeric", month: "2-digit", day: "2-digit" }).format(new Date());
    }
  }
  function addDays(iso, days) {
    var d = new Date(iso + "T00:00:00Z");
    d.setUTCDate(d.getUTCDate() + days);
    return d.toISOString().slice(0, 10);
  }
  function daysBetween(a, b) {
    return Math.round((Date.parse(b + "T00:00:00Z") - Date.parse(a + "T00:00:00Z")) / 86400000);
  }
  function fmtDate(iso) {
    var d = new Date(iso + "T00:00:00Z");
    return new Intl.DateTimeFormat(uiLang() === "ko" ? "ko-KR" : "en-US", {
      timeZone: "UTC", year: "numeric", month: "short", day: "numeric",
    }).format(d);
  }
  function fmtMonth(iso) {
    var d = new Date(iso + "T00:00:00Z");
    return new Intl.DateTimeFormat(uiLang() === "ko" ? "ko-KR" : "en-US", {
      timeZone: "UTC", year: "numeric", month: "short",
    }).format(d);
  }
  // The report's days: [from, to) with `to` exclusive, and the equal period before.
  function periodDates() {
    var from, to;
    if (state.period === "custom" && state.customFrom && state.customTo) {
      from = state.customFrom;
      to = addDays(state.customTo, 1);
    } else {
      var days = parseInt(state.period, 10) || 30;
      to = addDays(todayIn(state.timeZone), 1);
      from = addDays(to, -days);
    }
    var length = daysBetween(from, to);
    return { from: from, to: to, prevFrom: addDays(from, -length), prevTo: from, days: length };
  }

  // ------------------------------------------------------------------ API --
  function token() { return sessionStorage.getItem(TOKEN_KEY); }
  function setToken(value) {
    if (value) sessionStorage.setItem(TOKEN_KEY, value);
    else sessionStorage.removeItem(TOKEN_KEY);
  }

  function post(url, query, variables, bearer) {
    var headers = { "Content-Type": "application/json", Accept: "application/json" };
    if (bearer) headers.Authorization = "Bearer " + bearer;
    return fetch(url, {
      method: "POST",
      headers: headers,
      body: JSON.stringify({ query: query, variables: variables }),
      credentials: "omit",
      cache: "no-store",
      referrerPolicy: "no-referrer",
    }).then(function (response) {
      return response.text().then(function (text) {
        var json = null;
        try { json = JSON.parse(text); } catch (e) { json = null; }
        return { status: response.status, json: json };
      });
    });
  }

  var KPI_FIELDS =
    "activeCustomers checkoutsStarted checkoutsConverted orders buyers reviews " +
    "lapsedCustomers winBacks conversionRate cartAbandonmentRate returningCustomerRate csat " +
    "averageOrderValue { amount currency } revenue { amount currency }";
  var REPORT_QUERY =
    "query JourneyMapPage($from: Date!, $to: Date!, $prevFrom: Date!, $prevTo: Date!, $language: JourneyLanguage) {\n" +
    "  current: journeyReport(from: $from, to: $to) {\n" +
    "    channel from to timeZone currency preset language\n" +
    "    kpis { " + KPI_FIELDS + " }\n" +
    "    funnel(view: PRESET, language: $language) { entered steps { label stages customers conversionFromPrevious conversionFromFirst dropOff } }\n" +
    "    timeInStage { stages { stage medianSeconds } }\n" +
    "    cohorts(months: 6) { months cohorts { month customers cells { k customers share } } }\n" +
    "    map(top: 3, language: $language) { stages { stage label touchpoints byType { key count } byTouchChannel { key count } topUtmSources { key count } painPoints { key count } emotions { positive neutral negative } } }\n" +
    "  }\n" +
    "  previous: journeyReport(from: $prevFrom, to: $prevTo) { kpis { " + KPI_FIELDS + " } }\n" +
    "}";
  var TOKEN_CREATE =
    "mutation JourneyMapSignIn($email: String!, $password: String!) {\n" +
    "  tokenCreate(email: $email, password: $password) { token errors { field message } }\n" +
    "}";

  function errorCode(error) {
    var ext = (error && error.extensions) || {};
    return (ext.exception && ext.exception.code) || ext.code || "";
  }

  function loadReport() {
    var bearer = token();
    if (!bearer) { showSignIn(); return; }
    var dates = periodDates();
    var usedTimeZone = state.timeZone;
    var variables = { from: dates.from, to: dates.to, prevFrom: dates.prevFrom, prevTo: dates.prevTo };
    if (state.language) variables.language = state.language;
    var request = ++state.request;
    showLoading(true);
    post(CONFIG.api, REPORT_QUERY, variables, bearer).then(function (answer) {
      if (request !== state.request) return;
      showLoading(false);
      if (answer.status === 401) {
        setToken(null);
        showSignIn(t("expired"));
        return;
      }
      var json = answer.json || {};
      var errors = json.errors || [];
      if (errors.some(function (e) { return errorCode(e) === "PermissionDenied"; })) {
        setToken(null);
        showSignIn(t("permission"));
        return;
      }
      var data = json.data || {};
      if (errors.length || !data.current || !data.previous) {
        showReportError(t("failed") + (errors.length ? errors[0].message : "HTTP " + answer.status));
        return;
      }
      if (data.current.timeZone !== usedTimeZone) {
        // The first answer names the channel's time zone: "today" is there.
        state.timeZone = data.current.timeZone;
        savePrefs();
        if (state.period !== "custom" && periodDates().to !== dates.to) { loadReport(); return; }
      }
      state.report = data.current;
      state.previous = data.previous;
      state.dates = dates;
      render();
    }, function () {
      if (request !== state.request) return;
      showLoading(false);
      showReportError(t("network"));
    });
  }

  function signIn(email, password) {
    var button = $("signin-submit");
    button.disabled = true;
    button.textContent = t("signingIn");
    notice(null);
    post(CONFIG.signin, TOKEN_CREATE, { email: email, password: password }, null).then(function (answer) {
      button.disabled = false;
      button.textContent = t("signIn");
      var json = answer.json || {};
      var result = json.data && json.data.tokenCreate;
      if (!result) {
        var message = (json.errors && json.errors[0] && json.errors[0].message) || "HTTP " + answer.status;
        notice(t("badLogin") + " " + message, "error");
        return;
      }
      if (result.errors && result.errors.length) {
        notice(result.errors.map(function (e) { return e.message; }).join(" "), "error");
        return;
      }
      $("signin-password").value = "";
      useToken(result.token);
    }, function () {
      button.disabled = false;
      button.textContent = t("signIn");
      notice(t("network"), "error");
    });
  }

  function useToken(value) {
    setToken(value.trim());
    notice(null);
    show($("signin"), false);
    show($("controls"), true);
    loadReport();
  }

  // ------------------------------------------------------------ chrome ----
  function notice(message, kind) {
    var box = $("notice");
    box.textContent = message || "";
    box.className = "notice" + (kind ? " " + kind : "");
    show(box, Boolean(message));
  }
  function showSignIn(message) {
    state.report = null;
    show($("report"), false);
    show($("controls"), false);
    show($("custom-range"), false);
    show($("signin"), true);
    notice(message || null, message ? "error" : null);
  }
  function showLoading(on) {
    show($("loading"), on);
    $("report").classList.toggle("stale", on);
  }
  function showReportError(message) {
    notice(message, "error");
  }

  function applyTexts() {
    var lang = uiLang();
    document.documentElement.lang = lang;
    document.title = t("title") + " · " + CONFIG.channel;
    Array.prototype.forEach.call(document.querySelectorAll("[data-i18n]"), function (node) {
      var value = t(node.dataset.i18n);
      if (typeof value === "string") node.textContent = value;
    });
    Array.prototype.forEach.call(document.querySelectorAll("#period-picker button"), function (b) {
      b.setAttribute("aria-pressed", String(b.dataset.period === state.period));
    });
    Array.prototype.forEach.call(document.querySelectorAll("#language-switch button"), function (b) {
      b.setAttribute("aria-pressed", String(b.dataset.language.toLowerCase() === lang));
    });
  }

  // ------------------------------------------------------------- render ----
  function render() {
    applyTexts();
    var report = state.report;
    if (!report) return;
    notice(null);
    show($("report"), true);
    var d = state.dates;
    var box = $("report");
    box.dataset.from = d.from;
    box.dataset.to = d.to;
    box.dataset.prevFrom = d.prevFrom;
    box.dataset.prevTo = d.prevTo;
    box.dataset.language = uiLang().toUpperCase();
    $("period-summary").textContent =
      t("periodSummary")(fmtDate(d.from), fmtDate(addDays(d.to, -1)), d.days) + " · " +
      t("previousSummary")(fmtDate(d.prevFrom), fmtDate(addDays(d.prevTo, -1)));
    $("time-zone").textContent = report.timeZone;
    renderKpis(report.kpis, state.previous.kpis);
    renderFunnel(report.funnel);
    renderCohorts(report.cohorts);
    renderMap(report);
  }

  var KPIS = [
    { key: "conversionRate", label: "conversion", kind: "rate", better: 1, sub: "conversionSub" },
    { key: "cartAbandonmentRate", label: "abandonment", kind: "rate", better: -1, sub: "abandonmentSub" },
    { key: "averageOrderValue", label: "aov", kind: "money", better: 1, sub: "aovSub" },
    { key: "returningCustomerRate", label: "returning", kind: "rate", better: 1, sub: "returningSub" },
    { key: "csat", label: "csat", kind: "rate", better: 1, sub: "csatSub" },
  ];

  function kpiText(kind, value) {
    return kind === "money" ? fmtMoney(value) : fmtPercent(value);
  }
  function kpiRaw(kind, value) {
    if (value === null || value === undefined) return "";
    return kind === "money" ? value.amount + " " + value.currency : String(value);
  }
  function delta(kind, now, before) {
    if (now === null || now === undefined || before === null || before === undefined) return null;
    if (kind === "money") {
      if (now.currency !== before.currency) return null;
      var a = Number(now.amount), b = Number(before.amount);
      if (!b) return null;
      var change = ((a - b) / Math.abs(b)) * 100;
      return { value: change, text: (change > 0 ? "+" : change < 0 ? "−" : "±") + Math.abs(change).toFixed(0) + "%" };
    }
    var diff = (Number(now) - Number(before)) * 100;
    var rounded = Math.round(diff * 10) / 10;
    return { value: rounded, text: (rounded > 0 ? "+" : rounded < 0 ? "−" : "±") + Math.abs(rounded).toFixed(1).replace(/\.0$/, "") + " " + t("pts") };
  }

  function renderKpis(kpis, previous) {
    var box = $("kpis");
    clear(box);
    KPIS.forEach(function (spec) {
      var now = kpis[spec.key], before = previous[spec.key];
      var text = kpiText(spec.kind, now);
      var change = delta(spec.kind, now, before);
      var tone = !change || change.value === 0 ? "flat" : change.value * spec.better > 0 ? "good" : "bad";
      box.appendChild(el("article", { className: "kpi", "data-kpi": spec.key }, [
        el("h3", { text: t(spec.label) }),
        el("p", { className: "kpi-value" + (text ? "" : " empty"), "data-value": kpiRaw(spec.kind, now), text: text || t("noValue") }),
        el("p", { className: "kpi-sub muted small", text: t(spec.sub)(kpis) }),
        el("p", { className: "kpi-compare small" }, [
          change ? el("span", { className: "delta " + tone, text: (change.value > 0 ? "▲ " : change.value < 0 ? "▼ " : "") + change.text }) : null,
          el("span", { className: "prev-group" }, [
            el("span", { className: "muted", text: t("previous") + " " }),
            el("span", { className: "kpi-prev", "data-value": kpiRaw(spec.kind, before), text: (kpiText(spec.kind, before) || "–") }),
          ]),
        ]),
      ]));
    });
    // Context figures in a strip under the tiles.
    var strip = el("div", { className: "kpi-strip small" });
    [
      ["active", fmtInt(kpis.activeCustomers)],
      ["orders", fmtInt(kpis.orders)],
      ["revenue", fmtMoney(kpis.revenue) || "–"],
      ["lapsed", fmtInt(kpis.lapsedCustomers)],
      ["winBacks", fmtInt(kpis.winBacks)],
    ].forEach(function (pair) {
      strip.appendChild(el("span", null, [el("span", { className: "muted", text: t(pair[0]) + " " }), el("strong", { text: pair[1] })]));
    });
    box.appendChild(strip);
  }

  var STAGE_COLORS = ["#4f46e5", "#6366f1", "#0ea5e9", "#14b8a6", "#22c55e", "#84cc16"];

  function renderFunnel(funnel) {
    var box = $("funnel");
    clear(box);
    $("funnel-entered").textContent = t("entered")(funnel.entered);
    var steps = funnel.steps;
    if (!funnel.entered) {
      box.appendChild(emptyState(t("funnelEmpty")));
      return;
    }
    var width = Math.max(box.clientWidth || 320, 260);
    var rowHeight = 62;
    var height = steps.length * rowHeight + 4;
    var top = steps.reduce(function (m, s) { return Math.max(m, s.customers); }, 0) || 1;
    var chart = svg("svg", {
      viewBox: "0 0 " + width + " " + height, width: width, height: height,
      role: "img", "aria-label": t("funnelTitle"), className: "funnel-chart",
    });
    steps.forEach(function (step, i) {
      var y = i * rowHeight;
      var barWidth = Math.max((step.customers / top) * width, step.customers ? 6 : 2);
      var x = (width - barWidth) / 2;
      var color = STAGE_COLORS[i % STAGE_COLORS.length];
      var g = svg("g", { className: "funnel-step", "data-label": step.label, "data-customers": step.customers, "data-drop-off": step.dropOff });
      g.appendChild(svg("text", { x: 0, y: y + 14, className: "funnel-label", text: step.label }));
      g.appendChild(svg("text", { x: width, y: y + 14, "text-anchor": "end", className: "funnel-count", text: fmtInt(step.customers) }));
      g.appendChild(svg("rect", { x: 0, y: y + 20, width: width, height: 20, rx: 6, className: "funnel-track" }));
      g.appendChild(svg("rect", { x: x, y: y + 20, width: barWidth, height: 20, rx: 6, fill: color }));
      if (i > 0) {
        var conv = fmtPercent(step.conversionFromPrevious) || "–";
        g.appendChild(svg("text", { x: 0, y: y + 54, className: "funnel-sub", text: t("ofPrevious")(conv) }));
        g.appendChild(svg("text", {
          x: width, y: y + 54, "text-anchor": "end",
          className: "funnel-drop" + (step.dropOff ? "" : " zero"),
          text: (step.dropOff ? "−" : "") + fmtInt(step.dropOff) + " " + t("droppedOff"),
        }));
      } else {
        g.appendChild(svg("text", { x: 0, y: y + 54, className: "funnel-sub", text: "100%" }));
      }
      chart.appendChild(g);
    });
    box.appendChild(chart);
  }

  function renderCohorts(cohorts) {
    var box = $("cohorts");
    clear(box);
    if (!cohorts.cohorts.length) {
      box.appendChild(emptyState(t("cohortEmpty")));
      return;
    }
    var months = cohorts.months;
    var head = el("tr", null, [el("th", { scope: "col", text: t("cohortMonth") }), el("th", { scope: "col", className: "num", text: t("cohortCustomers") })]);
    for (var k = 0; k < months; k++) head.appendChild(el("th", { scope: "col", className: "num", text: t("monthN")(k) }));
    var rows = cohorts.cohorts.map(function (cohort) {
      var row = el("tr", { "data-month": cohort.month, "data-customers": cohort.customers }, [
        el("th", { scope: "row", text: fmtMonth(cohort.month) }),
        el("td", { className: "num", text: fmtInt(cohort.customers) }),
      ]);
      for (var k = 0; k < months; k++) {
        var cell = cohort.cells.filter(function (c) { return c.k === k; })[0];
        var td = el("td", { className: "heat" });
        if (!cell || cell.share === null || cell.share === undefined) {
          td.classList.add("unknown");
          td.textContent = "";
        } else {
          var share = Number(cell.share);
          td.textContent = fmtPercent(cell.share);
          td.title = fmtInt(cell.customers) + " / " + fmtInt(cohort.customers);
          td.style.backgroundColor = "rgba(79, 70, 229, " + (0.08 + 0.82 * share).toFixed(3) + ")";
          if (share >= 0.5) td.classList.add("dark");
        }
        row.appendChild(td);
      }
      return row;
    });
    box.appendChild(el("table", { className: "heatmap" }, [el("thead", null, head), el("tbody", null, rows)]));
  }

  function emptyState(message) {
    return el("div", { className: "empty" }, [
      el("span", { className: "empty-icon", "aria-hidden": "true", text: "◌" }),
      el("p", { text: message }),
    ]);
  }

  // Columns of the map: the preset's funnel steps, each holding the canonical
  // stages under its label, then touchpoints before any stage and At risk.
  function mapColumns(report) {
    var byStage = {};
    report.map.stages.forEach(function (s) { byStage[s.stage === null ? "" : s.stage] = s; });
    var times = {};
    report.timeInStage.stages.forEach(function (s) { times[s.stage] = s.medianSeconds; });
    var columns = [];
    var before = byStage[""];
    if (before && before.touchpoints) {
      columns.push({ label: t("before"), extra: true, stages: [], parts: [before], step: null, times: [] });
    }
    report.funnel.steps.forEach(function (step) {
      columns.push({
        label: step.label, extra: false, stages: step.stages, step: step,
        parts: step.stages.map(function (s) { return byStage[s]; }).filter(Boolean),
        times: step.stages.map(function (s) { return { stage: s, seconds: times[s] }; }),
      });
    });
    var lapsed = byStage.LAPSED;
    if (lapsed && lapsed.touchpoints) {
      columns.push({ label: lapsed.label, extra: true, stages: ["LAPSED"], parts: [lapsed], step: null, times: [{ stage: "LAPSED", seconds: times.LAPSED }] });
    }
    return columns.map(function (column) {
      return Object.assign(column, merge(column.parts));
    });
  }

  function merge(parts) {
    var total = 0, types = {}, touch = {}, utm = {}, pain = {}, emotions = { positive: 0, neutral: 0, negative: 0 };
    function add(target, list) {
      list.forEach(function (c) { target[c.key] = (target[c.key] || 0) + c.count; });
    }
    parts.forEach(function (p) {
      total += p.touchpoints;
      add(types, p.byType);
      add(touch, p.byTouchChannel);
      add(utm, p.topUtmSources);
      add(pain, p.painPoints);
      emotions.positive += p.emotions.positive;
      emotions.neutral += p.emotions.neutral;
      emotions.negative += p.emotions.negative;
    });
    function sorted(map) {
      return Object.keys(map).map(function (k) { return { key: k, count: map[k] }; })
        .filter(function (c) { return c.count > 0; })
        .sort(function (a, b) { return b.count - a.count || (a.key < b.key ? -1 : 1); });
    }
    return {
      touchpoints: total, byType: sorted(types), byTouchChannel: sorted(touch),
      topUtmSources: sorted(utm).slice(0, 3), painPoints: sorted(pain), emotions: emotions,
    };
  }

  function renderMap(report) {
    var box = $("journey-map");
    clear(box);
    var columns = mapColumns(report);
    var anything = columns.some(function (c) { return c.touchpoints > 0; }) || report.funnel.entered > 0;
    if (!anything) {
      box.appendChild(emptyState(t("mapEmpty")));
    }
    var lang = uiLang();
    var grid = el("div", { className: "map-grid" + (anything ? "" : " quiet") });
    grid.style.setProperty("--columns", String(columns.length));
    columns.forEach(function (column, index) {
      var color = column.extra ? "#94a3b8" : STAGE_COLORS[(index - (columns[0].extra && columns[0].stages.length === 0 ? 1 : 0)) % STAGE_COLORS.length];
      var card = el("section", {
        className: "stage" + (column.extra ? " extra" : ""),
        "data-label": column.label,
        "data-stages": column.stages.join(","),
        "data-customers": column.step ? column.step.customers : "",
        "data-touchpoints": column.touchpoints,
      });
      var header = el("header", { className: "stage-head" }, [
        el("span", { className: "stage-index", text: column.extra ? "·" : String(column.step ? report.funnel.steps.indexOf(column.step) + 1 : "") }),
        el("h3", { text: column.label }),
      ]);
      header.style.setProperty("--stage-color", color);
      card.appendChild(header);

      // Reached and drop-off.
      var reached = el("div", { className: "cell reached" }, [el("h4", { text: t("reached") })]);
      if (column.step) {
        reached.appendChild(el("p", { className: "big" }, [
          el("strong", { className: "stage-customers", text: fmtInt(column.step.customers) }),
          el("span", { className: "muted small", text: " · " + (fmtPercent(column.step.conversionFromFirst) || "–") }),
        ]));
        reached.appendChild(el("p", { className: "small drop" + (column.step.dropOff ? "" : " zero") }, [
          t("dropOff") + " ",
          el("strong", { className: "stage-drop-off", text: fmtInt(column.step.dropOff) }),
        ]));
      } else {
        reached.appendChild(el("p", { className: "muted small", text: t("notInFunnel") }));
      }
      card.appendChild(reached);
      if (!anything) { grid.appendChild(card); return; }

      // Time in stage.
      var time = el("div", { className: "cell" }, [el("h4", { text: t("timeInStage") })]);
      var shown = column.times.filter(function (x) { return x.seconds !== null && x.seconds !== undefined; });
      if (!shown.length) time.appendChild(el("p", { className: "muted small", text: "–" }));
      shown.forEach(function (x) {
        var name = column.times.length > 1 ? x.stage.charAt(0) + x.stage.slice(1).toLowerCase() + " " : "";
        time.appendChild(el("p", { className: "time" }, [
          name ? el("span", { className: "muted small", text: name }) : null,
          el("strong", { text: fmtDuration(x.seconds) }),
        ]));
      });
      card.appendChild(time);

      // Touchpoints by type.
      var touch = el("div", { className: "cell" }, [el("h4", null, [t("touchpoints") + " ", el("span", { className: "pill stage-touchpoints", text: fmtInt(column.touchpoints) })])]);
      if (!column.byType.length) touch.appendChild(el("p", { className: "muted small", text: t("none") }));
      var most = column.byType.length ? column.byType[0].count : 1;
      column.byType.slice(0, 5).forEach(function (c) {
        touch.appendChild(meter(EVENT_NAMES[lang][c.key] || c.key, c.count, most, color));
      });
      card.appendChild(touch);

      // Touch channels: one stacked bar.
      var channels = el("div", { className: "cell" }, [el("h4", { text: t("byChannel") })]);
      if (!column.byTouchChannel.length) channels.appendChild(el("p", { className: "muted small", text: t("none") }));
      else channels.appendChild(stacked(column.byTouchChannel.map(function (c) {
        return { key: c.key.toLowerCase(), label: TOUCH_NAMES[lang][c.key] || c.key, count: c.count };
      }), "channel"));
      card.appendChild(channels);

      // Pain points.
      var pain = el("div", { className: "cell pain" }, [el("h4", { text: t("painPoints") })]);
      if (!column.painPoints.length) pain.appendChild(el("p", { className: "muted small ok", text: "✓ " + t("noPain") }));
      column.painPoints.forEach(function (c) {
        var name = (PAIN_NAMES[lang][c.key]) || EVENT_NAMES[lang][c.key] || c.key;
        pain.appendChild(el("p", { className: "pain-item small" }, [el("span", { text: name }), el("strong", { text: fmtInt(c.count) })]));
      });
      card.appendChild(pain);

      // Emotion.
      var emotion = el("div", { className: "cell" }, [el("h4", { text: t("emotion") })]);
      var e = column.emotions;
      if (!(e.positive + e.neutral + e.negative)) emotion.appendChild(el("p", { className: "muted small", text: t("noEmotion") }));
      else emotion.appendChild(stacked([
        { key: "positive", label: t("positive"), count: e.positive },
        { key: "neutral", label: t("neutral"), count: e.neutral },
        { key: "negative", label: t("negative"), count: e.negative },
      ], "emotion"));
      card.appendChild(emotion);

      // UTM sources.
      var utm = el("div", { className: "cell" }, [el("h4", { text: t("utm") })]);
      if (!column.topUtmSources.length) utm.appendChild(el("p", { className: "muted small", text: t("noUtm") }));
      column.topUtmSources.forEach(function (c) {
        utm.appendChild(el("p", { className: "utm small" }, [el("span", { className: "tag", text: c.key }), el("strong", { text: fmtInt(c.count) })]));
      });
      card.appendChild(utm);

      grid.appendChild(card);
    });
    box.appendChild(grid);
  }

  function meter(label, count, most, color) {
    var bar = el("span", { className: "meter-bar" });
    bar.style.width = Math.max(ratio(count, most) * 100, 4).toFixed(1) + "%";
    bar.style.backgroundColor = color;
    return el("div", { className: "meter small" }, [
      el("span", { className: "meter-label", text: label }),
      el("strong", { text: fmtInt(count) }),
      el("span", { className: "meter-track" }, bar),
    ]);
  }

  function stacked(items, kind) {
    var total = items.reduce(function (s, i) { return s + i.count; }, 0) || 1;
    var bar = el("div", { className: "stacked " + kind, role: "img" });
    var legend = el("div", { className: "legend small" });
    var described = [];
    items.forEach(function (item) {
      if (item.count) {
        var part = el("span", { className: "part " + item.key, title: item.label + ": " + item.count });
        part.style.width = ((item.count / total) * 100).toFixed(2) + "%";
        bar.appendChild(part);
      }
      if (item.count || kind === "emotion") {
        legend.appendChild(el("span", { className: "key " + item.key }, [el("i", { "aria-hidden": "true" }), item.label + " " + fmtInt(item.count)]));
      }
      described.push(item.label + " " + item.count);
    });
    bar.setAttribute("aria-label", described.join(", "));
    return el("div", null, [bar, legend]);
  }

  // ------------------------------------------------------------- wiring ----
  function wire() {
    $("signin-form").addEventListener("submit", function (event) {
      event.preventDefault();
      signIn($("signin-email").value.trim(), $("signin-password").value);
    });
    $("token-form").addEventListener("submit", function (event) {
      event.preventDefault();
      var value = $("token-input").value.trim().replace(/^Bearer\s+/i, "");
      if (value) { $("token-input").value = ""; useToken(value); }
    });
    // A host that signs the page in itself (the Saleor App, with the
    // Dashboard's token) names no sign-in: there is nothing to sign out of.
    show($("sign-out"), Boolean(CONFIG.signin));
    $("sign-out").addEventListener("click", function () {
      setToken(null);
      showSignIn(null);
    });
    Array.prototype.forEach.call(document.querySelectorAll("#period-picker button"), function (button) {
      button.addEventListener("click", function () {
        var period = button.dataset.period;
        if (period === "custom") {
          var d = periodDates();
          $("custom-from").value = state.customFrom || d.from;
          $("custom-to").value = state.customTo || addDays(d.to, -1);
          show($("custom-range"), true);
          $("custom-from").focus();
          return;
        }
        state.period = period;
        show($("custom-range"), false);
        savePrefs();
        applyTexts();
        loadReport();
      });
    });
    $("custom-range").addEventListener("submit", function (event) {
      event.preventDefault();
      var from = $("custom-from").value, to = $("custom-to").value;
      if (!from || !to || from > to) { notice(t("badRange"), "error"); return; }
      if (daysBetween(from, to) + 1 > MAX_DAYS) { notice(t("longRange"), "error"); return; }
      state.period = "custom";
      state.customFrom = from;
      state.customTo = to;
      savePrefs();
      applyTexts();
      loadReport();
    });
    Array.prototype.forEach.call(document.querySelectorAll("#language-switch button"), function (button) {
      button.addEventListener("click", function () {
        state.language = button.dataset.language;
        savePrefs();
        applyTexts();
        if (token()) loadReport();
      });
    });
    var resizeTimer = null;
    window.addEventListener("resize", function () {
      clearTimeout(resizeTimer);
      resizeTimer = setTimeout(function () { if (state.report) renderFunnel(state.report.funnel); }, 150);
    });
  }

  wire();
  applyTexts();
  if (token()) {
    show($("controls"), true);
    loadReport();
  } else {
    showSignIn(null);
  }
})();
