// The copy's own integrity, checked first (plain ES5, like floor.js: it must run wherever anything runs).
//
// A copy cut short (an interrupted USB copy or download) or changed is told so in Chinese instead of
// hanging at "正在打开……". The builder writes the manifest just below: each embedded file's length and
// sha256 and the length of the whole page. When the browser has read all of the page there is
// (DOMContentLoaded, which a cut copy reaches too), every embedded file must be there at its full length,
// the marker after the last script must exist, and the page's script must have started; the engine checks
// each file's sha256 as it decodes it (bridge.js, engine.js). Python cannot run in a broken copy, so these
// messages are texts of the page itself.
(function () {
  "use strict";

  function mb(bytes) {
    return (bytes / 1048576).toFixed(1);
  }

  function manifest() {
    try {
      return JSON.parse(document.getElementById("xg-manifest").textContent);
    } catch (e) {
      return null;
    }
  }

  function say(text) {
    if (window.xgBroken) return;
    window.xgBroken = true;
    var fatal = document.getElementById("fatal");
    if (!fatal) {
      fatal = document.createElement("p");
      fatal.setAttribute("role", "alert");
      (document.body || document.documentElement).appendChild(fatal);
    }
    fatal.textContent = text;
    fatal.hidden = false;
    var hide = ["loading", "app"];
    for (var i = 0; i < hide.length; i++) {
      var element = document.getElementById(hide[i]);
      if (element) element.hidden = true;
    }
    var selftest = document.getElementById("selftest");
    if (selftest) selftest.textContent = "未通过：" + text;
    if (document.body) document.body.setAttribute("data-state", "failed");
    if (window.performance && performance.mark) performance.mark("xg-fatal");
  }

  function size(m) {
    return m && m.length ? "完整的文件有 " + m.length + " 字节（约 " + mb(m.length) + " MB），" : "";
  }

  // A copy that is not all there: what is missing, and what to do.
  window.xgIncomplete = function (what) {
    var m = manifest();
    say("本文件不完整（" + what + "），多半是复制或下载没有完成。" + size(m) +
        "请在文件夹中查看本文件的大小，重新复制或下载一份完整的文件后再打开。");
  };

  // A copy whose content differs from what was built.
  window.xgDamaged = function (what) {
    var m = manifest();
    say("本文件已损坏（" + what + " 与制作时不同），无法运行。" + size(m) +
        "请重新复制或下载一份完整的文件后再打开；如果仍然出现本提示，请向维护人员重新索取本文件。");
  };

  function check() {
    if (window.xgTooOld) return; // floor.js has said why the page cannot run here
    var m = manifest();
    if (!m || !m.files || !m.engine) {
      window.xgIncomplete("缺少文件清单");
      return;
    }
    var entries = m.files.concat([m.engine]);
    var have = 0;
    var want = 0;
    for (var i = 0; i < entries.length; i++) {
      var found = 0;
      for (var k = 0; k < entries[i].ids.length; k++) {
        var element = document.getElementById(entries[i].ids[k]);
        for (var n = element && element.firstChild; n; n = n.nextSibling) found += n.length || 0; // no copy
      }
      have += Math.min(found, entries[i].encoded);
      want += entries[i].encoded;
    }
    if (have !== want) {
      window.xgIncomplete("内置的运行环境只有 " + Math.floor(100 * have / want) + "%");
    } else if (!document.getElementById("xg-end")) {
      window.xgIncomplete("缺少页面的结尾部分");
    } else if (!window.xgStarted) {
      window.xgDamaged("页面的程序");
    }
  }

  document.addEventListener("DOMContentLoaded", check);
})();
