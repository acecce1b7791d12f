// The demo network's words: German, the way partners write about their work (public relations,
// not advertising, in the feed; offers only in the marketplace).

export const PR_TEXTS: readonly string[] = [
  'Heute war unser Teamabend in Salzburg – zwölf Leute, drei neue Gesichter und ganz viel gute Laune. Danke an alle, die dabei waren!',
  'Was ich in fünf Jahren Selbstständigkeit gelernt habe: **Zuhören** bringt mehr als jede Präsentation. Wie geht es euch damit?',
  'Kleine Morgenroutine, die bei mir wirkt: Wasser, zehn Minuten an die frische Luft, dann erst das Handy. Probiert es mal eine Woche.',
  'Gestern hat Lena ihre erste eigene Veranstaltung gemacht. Ich bin so stolz – vor einem Jahr hätte sie sich das nicht zugetraut.',
  'Unser Workshop zu Naturkosmetik war ausgebucht. Für alle, die keinen Platz bekommen haben: im März gibt es einen zweiten Termin.',
  'Drei Fragen, die ich mir jeden Freitag stelle: Was lief gut? Was lerne ich daraus? Wem sage ich heute Danke?',
  'Ein Jahr im Team, und es fühlt sich an wie Familie. Danke, Anna, dass du mir damals geschrieben hast!',
  'Heute beim Wochenmarkt mit einer Kundin ins Gespräch gekommen, die seit zwei Jahren dabei ist. Solche Begegnungen machen meinen Tag.',
  'Tipp für alle Neuen: Schreibt euch auf, warum ihr angefangen habt. An schwierigen Tagen hilft dieser Zettel mehr als jede Motivation.',
  'Unsere Lerngruppe trifft sich jetzt jeden Dienstag online. Wir sprechen über Gesprächsführung und wie man ehrlich bleibt.',
  'Was für ein Wochenende: Familienfest, zwei Geburtstage und trotzdem Zeit für ein gutes Buch. Balance ist möglich.',
  'Heute habe ich gelernt, dass ein ehrliches „Das weiß ich nicht, ich finde es heraus“ mehr Vertrauen schafft als jede schnelle Antwort.',
  'Zum dritten Mal beim Benefizlauf dabei – diesmal mit fünf Leuten aus dem Team. Jeder Kilometer ging an das Kinderhospiz.',
  'Mein Lieblingsbuch über Kommunikation in diesem Jahr: „Miteinander reden“. Alt, aber jede Seite wert.',
  'Nach der Elternzeit wieder eingestiegen – in meinem Tempo, mit meinem Team im Rücken. Genau dafür habe ich mich damals entschieden.',
  'Kleiner Erfolg, großer Moment: Meine Tochter hat mich gefragt, ob sie beim nächsten Teamtreffen mitkommen darf.',
  'Heute Abend Stammtisch in Graz. Wer in der Nähe ist und einfach mal zuhören will, ist herzlich willkommen.',
  'Was mir am meisten hilft, wenn es nicht läuft: ein Anruf bei meiner Sponsorin. Zehn Minuten, und die Welt sieht anders aus.',
  'Zwei Jahre dabei und immer noch jeden Tag Neues gelernt. Heute: wie man eine gute Frage stellt, statt eine Antwort zu geben.',
  'Unser Team hat diesen Monat gemeinsam 40 Stunden im Tierheim geholfen. Netzwerken heißt für uns auch, etwas zurückzugeben.',
  'Der schönste Teil meiner Arbeit? Wenn jemand aus dem Team über sich hinauswächst. Heute war so ein Tag.',
  'Kaffee, Notizbuch, Wochenplan: So starte ich jeden Montag. Was ist euer Ritual?',
  'Gestern meinen ersten Vortrag vor fünfzig Leuten gehalten. Die Knie haben gezittert, aber es hat sich gelohnt.',
  'Ehrlichkeit vor Abschluss: Wenn ein Produkt nicht passt, sage ich das. Meine Kundinnen danken es mir seit Jahren.',
]

export const AD_TEXTS: readonly string[] = [
  'Neu im Sortiment: das Pflegeset mit Aloe Vera. Jetzt bestellen und 10 % sparen – nur diesen Monat!',
  'Probierpaket Naturkosmetik zum Einführungspreis von 19,90 €. Schreib mir für deine Bestellung.',
  'Frühlingsaktion: Beim Kauf von zwei Tees gibt es den dritten gratis. Angebot gilt bis Monatsende.',
  'Vitamin-Kur für den Winter: jetzt im Shop, versandkostenfrei ab 40 €.',
  'Geschenkidee gesucht? Unsere Duftkerzen im Dreierset, liebevoll verpackt – jetzt bestellen.',
  'Rabatt für Neukundinnen: 15 % auf die erste Bestellung mit dem Code WILLKOMMEN15.',
  'Restposten Hautpflege zum halben Preis – solange der Vorrat reicht.',
  'Das beliebte Proteinpulver ist wieder da! Jetzt vorbestellen und als Erste beliefert werden.',
]

export const COMMENTS: readonly string[] = [
  'Wie schön, danke fürs Teilen!',
  'Das nehme ich mir für diese Woche vor.',
  'Großartig, herzlichen Glückwunsch!',
  'Genau so geht es mir auch.',
  'Beim nächsten Mal bin ich dabei!',
  'Sehr inspirierend, danke dir.',
  'Das hat mir heute gefehlt 🙂',
  'Toller Gedanke – darüber sprechen wir im Teamcall.',
]

export const WELCOME_REPLIES: readonly string[] = [
  'Danke für die liebe Begrüßung! Wann passt es dir für ein erstes Gespräch?',
  'Hallo! Ich freue mich sehr. Wo finde ich den Starterkurs?',
  'Vielen Dank! Ich habe mein Profil schon ausgefüllt – magst du mal draufschauen?',
  'Danke! Eine Frage: Wie lade ich jemanden zu meinem Profil ein?',
  'Hallo, schön von dir zu hören! Am Donnerstag beim Teamabend bin ich dabei.',
]

/** Captions and colours of the generated pictures in posts. */
export const PICTURES: ReadonlyArray<readonly [string, number]> = [
  ['Teamabend in Salzburg', 170],
  ['Workshop Naturkosmetik', 20],
  ['Benefizlauf 2026', 210],
  ['Stammtisch Graz', 40],
  ['Unser erster Vortrag', 280],
  ['Hilfe im Tierheim', 120],
  ['Montagsritual', 330],
  ['Wochenmarkt', 90],
]

/** The starter course every leader offers. */
export const LESSONS: ReadonlyArray<{ title: string; body: string; checklist: string[] }> = [
  {
    title: 'Dein Profil, deine Adresse',
    body: 'Dein Profil ist deine persönliche Adresse: Wer sich dort anmeldet, gehört zu deinem Team.\n\n- Schreib in zwei, drei Sätzen, **wer du bist** und was dich antreibt.\n- Lade ein freundliches Foto hoch.\n- Nenne deinen Ort – Menschen suchen Nähe.',
    checklist: ['Profiltext geschrieben', 'Foto hochgeladen', 'Ort eingetragen'],
  },
  {
    title: 'Öffentlichkeitsarbeit statt Werbung',
    body: 'Im Feed erzählst du aus deinem Alltag: Erfolge, Fragen, Begegnungen. Angebote gehören in den **Marktplatz**.\n\nWarum? Menschen folgen Menschen, nicht Prospekten. Ein ehrlicher Beitrag pro Woche bringt mehr als tägliche Angebote.',
    checklist: ['Ersten Beitrag im Feed geschrieben', 'Einen Beitrag im Team kommentiert'],
  },
  {
    title: 'Das erste Gespräch',
    body: 'Hör zu, bevor du erzählst. Drei Fragen, die fast immer passen:\n\n1. Was machst du gern, wenn du Zeit hast?\n2. Was würdest du gern ändern?\n3. Wie könnte ich dir helfen?\n\nDu musst nichts verkaufen. Du lernst jemanden kennen.',
    checklist: ['Drei Fragen notiert', 'Ein Gespräch geführt'],
  },
  {
    title: 'Deine Visitenkarte und dein QR-Code',
    body: 'Unter **Visitenkarte** findest du deinen QR-Code. Druck ihn aus oder zeig ihn auf dem Handy – wer ihn scannt, landet auf deinem Profil.',
    checklist: ['Visitenkarte angesehen', 'QR-Code einmal geteilt'],
  },
  {
    title: 'Dein Wochenplan',
    body: 'Plane fest: zwei Stunden Gespräche, eine Stunde Lernen, eine Stunde Team. Was nicht im Kalender steht, passiert selten.\n\n> Kleine Schritte, jede Woche – das ist das ganze Geheimnis.',
    checklist: ['Wochenplan erstellt', 'Mit dem Sponsor besprochen'],
  },
]
