"""Word lists for the rule-based enrich method. Lower-case unless noted."""

from __future__ import annotations

import re

ABBREVIATIONS = [
    "Mr", "Mrs", "Ms", "Dr", "Prof", "Sen", "Rep", "Gov", "Gen", "Col", "Lt", "Sgt", "Capt",
    "St", "Jr", "Sr", "Inc", "Corp", "Co", "Ltd", "vs", "etc", "No", "Jan", "Feb", "Mar", "Apr",
    "Aug", "Sept", "Sep", "Oct", "Nov", "Dec", "U\\.S", "U\\.K", "U\\.N", "D\\.C", "a\\.m",
    "p\\.m", "e\\.g", "i\\.e", "Rev", "Fr", "Pres", "Adm", "Maj", "Ft", "Mt",
]

TITLES = {
    "mr", "mrs", "ms", "miss", "dr", "prof", "professor", "sen", "senator", "rep",
    "representative", "congressman", "congresswoman", "gov", "governor", "gen", "general",
    "president", "vice", "secretary", "minister", "prime", "chancellor", "king", "queen",
    "prince", "princess", "pope", "judge", "justice", "attorney", "chairman", "chairwoman",
    "ceo", "director", "ambassador", "mayor", "sheriff", "officer", "commander", "colonel",
    "col", "lt", "lieutenant", "sgt", "sergeant", "capt", "captain", "adm", "admiral", "rev",
    "reverend", "father", "sister", "brother", "cardinal", "bishop", "archbishop", "rabbi",
    "imam", "sheikh", "ayatollah", "speaker", "spokesman", "spokeswoman", "former", "deputy",
    "acting", "chief", "state", "foreign", "defense", "defence", "interior", "leader",
    "frontrunner", "candidate", "democratic", "republican", "gop", "dem", "rep.", "dame", "sir",
    "lord", "lady", "emir", "crown", "supreme", "associate", "assistant", "special", "counsel",
    "u.s", "us", "editor", "editor-in-chief", "agent", "detective", "nominee", "host", "anchor",
    "pastor", "senior",
}
# TITLES that are also names of things when alone; kept only as a name's first word.
LEADING_STOP = {
    "the", "a", "an", "this", "that", "these", "those", "but", "and", "or", "so", "if",
    "when", "while", "in", "on", "at", "for", "of", "to", "from", "by", "with", "as", "after",
    "before", "since", "then", "now", "yet", "also", "even", "still", "just", "only", "here",
    "there", "his", "her", "their", "our", "my", "your", "its", "it", "he", "she", "they", "we",
    "i", "you", "what", "why", "how", "who", "where", "which", "all", "some", "many", "most",
    "no", "not", "yes", "ok", "okay", "well", "oh", "meanwhile", "however", "moreover",
    "according", "like", "unlike", "despite", "because", "although", "though", "under",
    "over", "about", "against", "between", "during", "without", "within", "into", "both",
    "either", "neither", "every", "each", "any", "one", "two", "former", "late", "said",
    "says", "writes", "wrote", "told", "via", "image", "photo", "read", "watch", "related",
    "update", "breaking", "exclusive", "sources", "source", "mainstream", "perhaps", "maybe",
    "apparently", "indeed", "clearly", "obviously", "actually", "sadly", "unfortunately",
    "fortunately", "surely", "certainly", "outgoing", "disgraced", "embattled", "sorry",
    "dear", "thank", "thanks", "congratulations", "today", "yesterday", "tomorrow", "naturally",
}
TRAILING_STOP = {"said", "says", "told", "and", "the", "of", "in", "on"}

NOT_NAMES = {
    "i", "i'm", "i've", "i'd", "i'll", "ok", "okay", "yes", "no", "mr", "mrs", "ms", "dr",
    "god", "lord", "bible", "internet", "web", "tv", "am", "pm", "a.m", "p.m", "ad", "bc",
    "tweet", "twitter", "facebook", "youtube", "instagram", "google", "click", "advertisement",
    "covid", "coronavirus", "ebola", "english", "christmas", "easter", "ramadan", "heck",
    "amen", "oh", "wow", "hey", "please", "thanks", "sorry", "yeah", "nope",
}
MONTHS_DAYS = {
    "january", "february", "march", "april", "may", "june", "july", "august", "september",
    "october", "november", "december", "jan", "feb", "mar", "apr", "jun", "jul", "aug", "sep",
    "sept", "oct", "nov", "dec", "monday", "tuesday", "wednesday", "thursday", "friday",
    "saturday", "sunday",
}

# country -> words that name it or its people (lower-case)
COUNTRIES = {
    "United States": ["united states", "u.s", "u.s.", "us", "usa", "u.s.a", "america", "american",
                      "americans", "united states of america"],
    "Russia": ["russia", "russian", "russians", "russian federation"],
    "China": ["china", "chinese"],
    "Syria": ["syria", "syrian", "syrians"],
    "Iran": ["iran", "iranian", "iranians"],
    "Iraq": ["iraq", "iraqi", "iraqis"],
    "Israel": ["israel", "israeli", "israelis"],
    "Saudi Arabia": ["saudi arabia", "saudi", "saudis"],
    "Turkey": ["turkey", "turkish", "turks"],
    "Ukraine": ["ukraine", "ukrainian", "ukrainians"],
    "North Korea": ["north korea", "north korean", "north koreans"],
    "South Korea": ["south korea", "south korean"],
    "United Kingdom": ["united kingdom", "uk", "u.k", "britain", "great britain", "british",
                       "brits", "england", "english"],
    "France": ["france", "french"],
    "Germany": ["germany", "german", "germans"],
    "Mexico": ["mexico", "mexican", "mexicans"],
    "Canada": ["canada", "canadian", "canadians"],
    "Venezuela": ["venezuela", "venezuelan", "venezuelans"],
    "Cuba": ["cuba", "cuban", "cubans"],
    "Afghanistan": ["afghanistan", "afghan", "afghans"],
    "Pakistan": ["pakistan", "pakistani", "pakistanis"],
    "India": ["india", "indian", "indians"],
    "Japan": ["japan", "japanese"],
    "Egypt": ["egypt", "egyptian", "egyptians"],
    "Libya": ["libya", "libyan", "libyans"],
    "Yemen": ["yemen", "yemeni", "yemenis"],
    "Qatar": ["qatar", "qatari"],
    "Jordan": ["jordan", "jordanian"],
    "Lebanon": ["lebanon", "lebanese"],
    "Palestine": ["palestine", "palestinian", "palestinians"],
    "Poland": ["poland", "polish", "poles"],
    "Sweden": ["sweden", "swedish", "swedes"],
    "Italy": ["italy", "italian", "italians"],
    "Spain": ["spain", "spanish"],
    "Ireland": ["ireland", "irish"],
    "Australia": ["australia", "australian", "australians"],
    "Nigeria": ["nigeria", "nigerian", "nigerians"],
    "Brazil": ["brazil", "brazilian", "brazilians"],
    "Vatican": ["vatican"],
    "Europe": ["europe", "european", "europeans"],
}
# The rest of the world's states, "Name: demonym, ..." (the name itself is always a word for it).
_MORE_COUNTRIES = """
Albania: albanian, albanians; Algeria: algerian, algerians; Angola: angolan, angolans;
Argentina: argentine, argentinian, argentinians; Armenia: armenian, armenians;
Austria: austrian, austrians; Azerbaijan: azerbaijani, azerbaijanis; Bahrain: bahraini;
Bangladesh: bangladeshi, bangladeshis; Belarus: belarusian, belarusians; Belgium: belgian,
belgians; Bolivia: bolivian, bolivians; Bosnia: bosnian, bosnians; Bulgaria: bulgarian,
bulgarians; Burma: burmese; Myanmar: ; Cambodia: cambodian, cambodians; Cameroon: cameroonian;
Chad: chadian; Chile: chilean, chileans; Colombia: colombian, colombians; Congo: congolese;
Costa Rica: costa rican; Croatia: croatian, croatians, croats; Cyprus: cypriot, cypriots;
Czech Republic: czech, czechs; Denmark: danish, danes; Ecuador: ecuadorian; El Salvador:
salvadoran, salvadorans; Eritrea: eritrean, eritreans; Estonia: estonian, estonians;
Ethiopia: ethiopian, ethiopians; Finland: finnish, finns; Georgia: georgian, georgians;
Ghana: ghanaian, ghanaians; Greece: greek, greeks; Guatemala: guatemalan, guatemalans;
Haiti: haitian, haitians; Honduras: honduran, hondurans; Hungary: hungarian, hungarians;
Iceland: icelandic, icelanders; Indonesia: indonesian, indonesians; Jamaica: jamaican,
jamaicans; Kazakhstan: kazakh, kazakhs; Kenya: kenyan, kenyans; Kosovo: kosovar, kosovars;
Kuwait: kuwaiti, kuwaitis; Kyrgyzstan: kyrgyz; Laos: laotian; Latvia: latvian, latvians;
Liberia: liberian, liberians; Lithuania: lithuanian, lithuanians; Madagascar: malagasy;
Malaysia: malaysian, malaysians; Mali: malian, malians; Malta: maltese; Moldova: moldovan;
Mongolia: mongolian, mongolians; Montenegro: montenegrin; Morocco: moroccan, moroccans;
Mozambique: mozambican; Nepal: nepalese, nepali; Netherlands: dutch, holland; New Zealand:
new zealanders; Nicaragua: nicaraguan, nicaraguans; Niger: nigerien; Norway: norwegian,
norwegians; Oman: omani, omanis; Panama: panamanian, panamanians; Paraguay: paraguayan;
Peru: peruvian, peruvians; Philippines: filipino, filipinos, philippine; Portugal: portuguese;
Romania: romanian, romanians; Rwanda: rwandan, rwandans; Senegal: senegalese; Serbia: serbian,
serbians, serbs; Singapore: singaporean, singaporeans; Slovakia: slovak, slovaks; Slovenia:
slovenian, slovenians; Somalia: somali, somalis; South Sudan: south sudanese; Sri Lanka:
sri lankan, sri lankans; Sudan: sudanese; Switzerland: swiss; Taiwan: taiwanese; Tajikistan:
tajik, tajiks; Tanzania: tanzanian, tanzanians; Thailand: thai, thais; Tunisia: tunisian,
tunisians; Turkmenistan: turkmen; Uganda: ugandan, ugandans; United Arab Emirates: emirati,
emiratis, uae; Uruguay: uruguayan, uruguayans; Uzbekistan: uzbek, uzbeks; Vietnam: vietnamese;
Zambia: zambian, zambians; Zimbabwe: zimbabwean, zimbabweans; Belize: belizean; Gabon: ;
Sierra Leone: sierra leonean; Botswana: ; Namibia: namibian; Benin: ;
Burkina Faso: ; Ivory Coast: ivorian, ivorians; Djibouti: ; Brunei: ; Bhutan: ; Fiji: fijian;
Macedonia: macedonian, macedonians; North Macedonia: ; Luxembourg: ; Liechtenstein: ;
Monaco: ; Andorra: ; San Marino: ; Dominican Republic: dominican, dominicans; Trinidad: ;
Bahamas: bahamian; Barbados: ; Mauritania: mauritanian; Malawi: malawian; Lesotho: ;
Eswatini: ; Swaziland: ; Burundi: burundian; Guinea: guinean; Togo: togolese; Gambia: gambian
"""
for _entry in _MORE_COUNTRIES.replace("\n", " ").split(";"):
    _name, _, _words = _entry.partition(":")
    _name = _name.strip()
    if _name and _name not in COUNTRIES:
        COUNTRIES[_name] = [_name.lower()] + [w.strip() for w in _words.split(",") if w.strip()]
COUNTRY_OF = {w: c for c, ws in COUNTRIES.items() for w in ws}
DEMONYMS = {w for ws in COUNTRIES.values() for w in ws if w.endswith(("an", "ans", "is", "sh",
                                                                      "ese", "s"))}

# Words that make a capitalised run an organisation.
ORG_WORDS = {
    "party", "department", "ministry", "agency", "army", "forces", "force", "committee",
    "council", "congress", "senate", "house", "court", "university", "institute",
    "foundation", "times", "post", "news", "network", "pentagon", "division", "brigade",
    "guard", "bureau", "commission", "association", "union", "organization", "organisation",
    "group", "corp", "inc", "company", "bank", "fund", "media", "church", "administration",
    "government", "parliament", "cabinet", "office", "service", "services", "police",
    "navy", "coalition", "alliance", "movement", "campaign", "center", "centre", "journal",
    "press", "club", "fbi", "cia", "nsa", "nato", "isis", "isil", "un", "eu", "cnn", "msnbc",
    "bbc", "abc", "cbs", "nbc", "gop", "dnc", "rnc", "doj", "dhs", "epa", "irs", "kremlin",
    "hezbollah", "hamas", "taliban", "nusra", "al-nusra", "al-qaeda", "al-qaida", "qaeda",
    "qaida", "democrats", "republicans", "google", "facebook", "twitter", "youtube", "apple",
    "microsoft", "amazon", "tribune", "herald", "gazette", "reuters", "whitehouse",
    "state", "states", "nations", "nation", "board", "school", "college",
}
GROUP_WORDS = {"jew", "jewish", "democrats", "republicans", "muslims", "christians", "jews",
               "catholics", "liberals", "conservatives", "leftists", "progressives", "antifa",
               "evangelicals", "islamists", "jihadists", "jihadis", "arabs", "whites", "blacks"}
# A group is named by its plural: "Jew", "Jewish" and "Jews" are one group, "Jews".
GROUP_OF = {w: (w if w.endswith("s") or w == "antifa" else w + "s") for w in GROUP_WORDS}
GROUP_OF.update({"jew": "jews", "jewish": "jews", "muslim": "muslims", "christian": "christians",
                 "catholic": "catholics", "arab": "arabs", "islamist": "islamists",
                 "evangelical": "evangelicals"})

# Lower-case nouns for groups of people an article can attack; a span that contains one and no
# name is aimed at that group.
GROUP_NOUNS = [
    "liberals", "leftists", "the left", "conservatives", "progressives",
    "globalists", "elites", "the elite", "establishment", "the media", "mainstream media",
    "media", "press", "journalists", "reporters", "pundits", "democrats", "republicans",
    "socialists", "communists", "marxists", "fascists", "nazis", "feminists", "activists",
    "terrorists", "terrorist", "jihadis", "jihadists", "militants", "extremists", "islamists",
    "radicals", "rebels", "insurgents", "immigrants", "illegal aliens", "illegals",
    "migrants", "refugees", "muslims", "christians", "jews", "catholics", "bureaucrats",
    "politicians", "lawmakers", "neocons", "neoconservatives", "warmongers", "hawks",
    "protesters", "rioters", "mob", "thugs", "criminals", "gangs", "cops", "police",
    "government", "regime", "administration", "deep state", "officials", "critics",
    "opponents", "supporters", "voters", "scientists", "researchers", "analysts",
    "investigators", "authorities", "witnesses", "residents", "locals", "experts", "doctors",
    "priests",
    "clergy", "bishops", "cardinals", "church", "vaccines", "big pharma", "banks", "bankers",
    "corporations", "billionaires", "oligarchs", "enemies", "invaders", "proxies",
    "white folks", "whites", "blacks", "jews", "smugglers", "speculators", "fearmongers",
]
# Nouns that stand for a state's or a leader's rule; they name no one by themselves, so a span
# about "the regime" is aimed at the country or leader it belongs to ("the Syrian regime",
# "Maduro's government", "the country's government"), or at no one.
INSTITUTION_NOUNS = {"government", "regime", "administration"}
# Insults ("crackpots", "vermin") are what a span calls someone, not a group of its own: their
# target is whoever they are said of.

GROUP_NOUNS_RE = re.compile(
    r"\b(?:" + "|".join(sorted((re.escape(g) for g in GROUP_NOUNS), key=len, reverse=True))
    + r")\b", re.IGNORECASE)

SPEECH_VERBS = [
    "said", "says", "say", "told", "tells", "tell", "stated", "added", "adds",
    "wrote", "writes", "write", "declared", "declares", "explained", "explains", "noted",
    "tweeted", "tweets", "posted", "announced", "announces", "warned", "warns",
    "insisted", "insists", "argued", "argues", "claimed", "continued", "continues",
    "asked", "asks", "replied", "replies", "responded", "responds", "remarked",
    "recalled", "recalls", "admitted", "admits", "stressed", "stresses", "emphasized",
    "emphasised", "suggested", "suggests", "observed", "observes", "concluded", "concludes",
    "testified", "testifies", "confirmed", "confirms", "denied", "denies", "urged", "urges",
    "pointed out", "points out", "went on", "goes on", "put it", "puts it", "reported",
    "commented", "acknowledged", "acknowledges", "shouted", "yelled",
    "exclaimed", "proclaimed", "boasted", "complained", "according to", "in the words of",
    "quoted", "quoting", "thundered", "joked", "predicted", "demanded", "vowed",
    "promised", "alleged", "called", "corrected", "answered", "read as follows", "reads",
    "as follows", "advised", "advises", "saying", "adding", "noting", "telling", "writing",
    "warning", "insisting",
    "explaining", "following",
]
SPEECH_RE = re.compile(
    r"\b(?:" + "|".join(sorted((re.escape(v) for v in SPEECH_VERBS), key=len, reverse=True))
    + r")\b", re.IGNORECASE)

PRONOUNS_PERSON = {"he": "m", "she": "f", "him": "m", "her": "f", "his": "m"}
PRONOUNS_GROUP = {"they", "them", "their"}

# Opinion, hedging and rhetoric: sentences built on these are not check-worthy claims.
OPINION_RE = re.compile(
    r"\b(?:i think|i believe|i feel|i guess|i suspect|in my (?:view|opinion)|we believe|"
    r"should|shouldn't|ought to|must|needs? to|have to|has to|let's|let us|perhaps|maybe|"
    r"probably|apparently|seems?|seemed|arguably|obviously|clearly|surely|of course|"
    r"needless to say|in other words|imagine|wonder|hopefully|unfortunately|fortunately|"
    r"sadly|ridiculous|absurd|shameful|disgusting|pathetic|stupid|insane|crazy|evil|"
    r"nonsense|charade|hell|damn|crap|frankly|honestly|can't|cannot|won't|would|could|might|"
    r"who knows|let me|you see|think about it|what if|no question|no doubt|"
    r"undoubtedly)\b", re.IGNORECASE)
FACT_REPORTING_RE = re.compile(
    r"\b(?:said|says|told|announced|reported|according to|stated|confirmed|revealed|"
    r"found|showed|published|released|signed|voted|passed|arrested|charged|killed|died|"
    r"attacked|launched|sent|met|visited|won|lost|elected|appointed|resigned|fired|banned|"
    r"approved|rejected|filed|sued|ruled|sentenced|convicted|indicted|raised|cut|increased|"
    r"decreased|fell|rose|took|seized|captured|invaded|bombed|struck|accused|admitted|denied|"
    r"received|paid|spent|cost|earned|funded|donated|testified|wrote|issued|ordered|"
    r"agreed|declared|held|hosted|joined|left|opened|closed|began|ended|started|introduced|"
    r"proposed|documented|recorded|counted|estimated|surveyed|discovered|led|hired|"
    r"prosecuted|investigated|investigating|deployed|withdrew|imposed|lifted|convened)\b",
    re.IGNORECASE)
# "one" is a count ("one of five people", "one week") except as a pronoun after "no", "any",
# "some", "every", "each", "that", "this", "only", "which" ("no one noticed", "that one").
NUMBER_RE = re.compile(
    r"\b\d[\d,.]*\b|(?<!\bno )(?<!\bany )(?<!\bsome )(?<!\bevery )(?<!\beach )(?<!\bthat )"
    r"(?<!\bthis )(?<!\bonly )(?<!\bwhich )\bone\b|"
    r"\b(?:two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|"
    r"twenty|thirty|forty|fifty|hundred|hundreds|thousand|thousands|million|millions|billion|"
    r"billions|trillion|percent|per cent|dozen|dozens|half|third|quarter)\b|%|\$|£|€",
    re.IGNORECASE)
DATE_RE = re.compile(
    r"\b(?:january|february|march|april|june|july|august|september|october|november|"
    r"december|monday|tuesday|wednesday|thursday|friday|saturday|sunday|yesterday|"
    r"last (?:week|month|year)|this (?:week|month|year)|in (?:19|20)\d\d|(?:19|20)\d\d)\b",
    re.IGNORECASE)

# Words that make a capitalised run a place or a thing rather than a person.
PLACE_WORDS = {
    "islamic", "hill", "street", "downs",
    "caliphate", "airport", "mountains", "mountain", "river", "city", "county", "valley",
    "island", "islands", "sea", "ocean", "gulf", "bay", "lake", "park", "square", "avenue",
    "road", "bridge", "tower", "hall", "palace", "capitol", "state", "states", "republic",
    "kingdom", "empire", "war", "act", "bill", "law", "day", "prize", "award", "olympics",
    "cup", "world", "global", "international", "national", "federal", "western", "eastern",
    "northern", "southern", "new", "old", "great", "holy", "christian", "muslim", "jewish",
    "catholic", "sunni", "shia", "shiite", "arab", "al", "el", "mount", "fort", "port",
    "st", "saint", "san", "santa", "los", "las", "le", "la",
}
REGIONS = {
    "middle east", "west africa", "east africa", "north africa", "south africa", "africa",
    "south america", "latin america", "north america", "asia", "east asia", "west bank",
    "gaza", "gaza strip", "southeast asia", "central asia", "the west", "eastern europe",
    "western europe", "the middle east", "south asia", "north", "south", "east", "west",
}

US_STATES = {
    "alabama", "alaska", "arizona", "arkansas", "california", "colorado", "connecticut",
    "delaware", "florida", "hawaii", "idaho", "illinois", "indiana", "iowa", "kansas",
    "kentucky", "louisiana", "maine", "maryland", "massachusetts", "michigan", "minnesota",
    "mississippi", "missouri", "montana", "nebraska", "nevada", "new hampshire", "new jersey",
    "new mexico", "new york", "north carolina", "north dakota", "ohio", "oklahoma", "oregon",
    "pennsylvania", "rhode island", "south carolina", "south dakota", "tennessee", "texas",
    "utah", "vermont", "virginia", "west virginia", "wisconsin", "wyoming",
}

# Common given names, for the gender a pronoun needs ("she" is not "Thomas Homan"). A name in
# neither list is taken as either.
MALE_NAMES = set("""
aaron adam adrian alan albert alex alexander ali andrew angel anthony antonio arthur austin
barack ben benjamin bernie bill billy bob bobby brad bradley brandon brendan brett brian bruce
bryan carl carlos carter charles charlie chris christian christopher chuck clarence cody colin
craig curtis dale dan daniel danny darren dave david dennis derek devin dick don donald doug
douglas duncan dwight ed eddie edward elijah eric ernest ethan eugene evan frank fred gabriel
gary gavin george gerald glenn gordon greg gregory harold harry henry howard hunter ian isaac
jack jacob jake james jared jason jeff jeffrey jeremy jerry jesse jim jimmy joe joel john
johnny jon jonathan jordan jose joseph josh joshua juan justin keith ken kenneth kevin kyle
larry lawrence lee leon louis luis luke marco marcus mark martin matt matthew michael mike
mitch mitchell muhammad mohammed nathan neil nicholas nick noah oliver oscar patrick paul
pete peter philip phillip ralph randy ray raymond richard rick rob robert rod rodney roger
ron ronald roy russell ryan sam samuel scott sean sergei seth shawn stephen steve steven
stuart ted terry thomas tim timothy todd tom tony travis tyler victor vincent vladimir walter
wayne william willie xi zachary
""".split())
FEMALE_NAMES = set("""
abigail alexandria alice alicia allison amanda amber amy andrea angela ann anna anne betsy
betty beverly brenda brittany carol caroline carolyn catherine cheryl chelsea christina
christine cindy claire cynthia dana daniela deborah debbie debra denise diana diane donna
doris dorothy elena elizabeth ellen emily emma erin evelyn frances gina gloria grace hannah
heather heidi helen hillary ilhan irene jane janet janice jennifer jessica jill joan joyce
judith judy julia julie karen kate katherine kathleen kathryn kathy katie kayleigh kelly
kimberly kirsten kristen kyrsten laura lauren libby linda lisa lori louise lucy madeleine
margaret maria marie marilyn martha mary megan melania melissa michelle monica nancy natalie
nicole nikki olivia pamela patricia paula rachel rebecca rose roseanne ruth sally samantha
sandra sara sarah sharon shirley sophia stephanie susan suzanne tammy teresa theresa tiffany
tulsi valerie vanessa victoria virginia wendy
""".split())
MALE_TITLES = {"mr", "sir", "king", "prince", "lord", "congressman", "chairman", "spokesman",
               "father", "brother", "pope", "cardinal", "bishop", "archbishop", "rabbi", "imam",
               "sheikh", "ayatollah", "emir"}
FEMALE_TITLES = {"mrs", "ms", "miss", "queen", "princess", "lady", "dame", "congresswoman",
                 "chairwoman", "spokeswoman", "sister"}
# Titles that are also nouns for the person holding them: "the mayor", "a Democrat senator".
ROLE_NOUNS = {"mayor", "senator", "governor", "president", "congressman", "congresswoman",
              "secretary", "minister", "chancellor", "judge", "sheriff", "ambassador",
              "director", "chairman", "chairwoman", "spokesman", "spokeswoman", "speaker",
              "prosecutor", "candidate", "nominee", "representative", "king", "queen", "pope",
              "general", "commander", "ceo", "founder", "leader", "premier", "host", "anchor"}

