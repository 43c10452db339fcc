// «Версия для слабовидящих» in the static copy, which has no server to set the cookie: the
// same `look` cookie as the dynamic site's /look, read and written here, and the same
// classes on <html> (the stylesheet's .a11y). The header's buttons stay hidden without
// JavaScript (the copy then keeps the usual look).
(function () {
  var CLASSES = { usual: '', light: 'a11y', dark: 'a11y a11y-dark' };
  function current() {
    var m = document.cookie.match(/(?:^|;\s*)look=([a-z]+)/);
    return m && CLASSES[m[1]] !== undefined ? m[1] : 'usual';
  }
  function apply(look) {
    var html = document.documentElement;
    html.classList.remove('a11y', 'a11y-dark');
    if (CLASSES[look]) CLASSES[look].split(' ').forEach(function (c) { html.classList.add(c); });
    document.querySelectorAll('[data-look]').forEach(function (b) {
      b.hidden = !b.getAttribute('data-from').split(' ').includes(look);
    });
  }
  apply(current());
  document.addEventListener('DOMContentLoaded', function () {
    apply(current());
    document.querySelectorAll('[data-look]').forEach(function (b) {
      b.addEventListener('click', function () {
        var look = b.getAttribute('data-look');
        document.cookie = look === 'usual'
          ? 'look=; path=/; max-age=0; SameSite=Lax'
          : 'look=' + look + '; path=/; max-age=31536000; SameSite=Lax';
        apply(look);
      });
    });
  });
})();
